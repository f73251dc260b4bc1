-- The ledger goes on from its head: each record's sequence is the next one,
-- checked by the store inside the appending transaction, whoever numbered it.
CREATE TRIGGER ledger_in_order BEFORE INSERT ON ledger
WHEN NEW.sequence <> COALESCE((SELECT MAX(sequence) FROM ledger), 0) + 1
BEGIN SELECT RAISE(ABORT, 'ledger sequence out of order'); END;
