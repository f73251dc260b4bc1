//! Statements whose text is built at run time (optional filters, multi-row
//! inserts), written once for both backends.

/// A value a statement built at run time binds.
#[derive(Clone, Copy)]
pub enum Value<'a> {
    Int(i64),
    Text(&'a str),
}

/// SQL text built at run time with numbered placeholders (`$1`, `$2`, …,
/// which SQLite and PostgreSQL both read) and the values they bind, in
/// order.
pub struct Statement<'a> {
    text: String,
    values: Vec<Value<'a>>,
}

impl<'a> Statement<'a> {
    pub fn new(text: &str) -> Statement<'a> {
        Statement { text: text.to_string(), values: Vec::new() }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub fn bind(&mut self, value: Value<'a>) -> &mut Self {
        self.values.push(value);
        self.text.push_str(&format!("${}", self.values.len()));
        self
    }

    /// `(v, v, …), (v, v, …)`: one parenthesised list per row, each value
    /// bound.
    pub fn rows(&mut self, rows: impl IntoIterator<Item = impl IntoIterator<Item = Value<'a>>>) -> &mut Self {
        for (i, row) in rows.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            for (j, value) in row.into_iter().enumerate() {
                if j > 0 {
                    self.push(", ");
                }
                self.bind(value);
            }
            self.push(")");
        }
        self
    }
}

/// A statement built at run time, its values bound in order.
pub fn query<'q, DB>(statement: &'q Statement<'q>) -> sqlx::query::Query<'q, DB, DB::Arguments<'q>>
where
    DB: sqlx::Database,
    DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut query = sqlx::query(&statement.text);
    for value in &statement.values {
        query = match *value {
            Value::Int(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
        };
    }
    query
}
