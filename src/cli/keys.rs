//! `token`, `keygen`, `rotate-key` and `registry-key`.

use std::path::PathBuf;

use tokio::runtime::Runtime;

use creditregistry::auth::{DEV_KID, Role, TokenRequest, issue_token};
use creditregistry::config::{Config, KeyAlgorithm};
use creditregistry::keys::KeyPairFiles;
use creditregistry::store::{AuditStore, Store};

use super::keys_in_store;

/// The arguments of `token`.
#[derive(clap::Args)]
pub struct TokenArgs {
    /// Role(s) to grant: enforcement, procurement, auditor, regulator, admin.
    #[arg(long = "role", required = true, value_parser = parse_role)]
    roles: Vec<Role>,
    /// The authority an enforcement caller acts for (required with enforcement).
    #[arg(long)]
    authority: Option<String>,
    /// Token subject: the user or system calling.
    #[arg(long, default_value = "dev-user")]
    subject: String,
    /// Organisation of the caller.
    #[arg(long)]
    org: Option<String>,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    ttl: i64,
    /// Private key (PEM); the development key when unset.
    #[arg(long)]
    key: Option<PathBuf>,
    /// Key id to put in the header.
    #[arg(long)]
    kid: Option<String>,
    /// EdDSA or RS256.
    #[arg(long, default_value = "EdDSA", value_parser = |s: &str| s.parse::<KeyAlgorithm>())]
    algorithm: KeyAlgorithm,
}

/// What a key made by `keygen` is for.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum KeyPurpose {
    Registry,
    Token,
}

fn parse_role(s: &str) -> Result<Role, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| format!("unknown role '{s}': expected enforcement, procurement, auditor, regulator or admin"))
}

/// `token`: a token signed with `--key`, or with the development key.
pub fn token(config: &Config, args: TokenArgs) -> Result<(), String> {
    let TokenArgs { roles, authority, subject, org, ttl, key, kid, algorithm } = args;
    let key_file = match key {
        Some(k) => k,
        // Only `serve --dev` makes the development key: a token signed
        // by a key of its own would be refused by the server.
        None => {
            let pair = KeyPairFiles::in_dir(&config.dev_keys_dir());
            if !pair.private_key_file.exists() {
                return Err(format!(
                    "no development key in {}: `serve --dev` creates it there; run `token` with the server's data directory (CREDITREGISTRY_DATA_DIR, or data_dir in --config) or pass --key FILE",
                    config.dev_keys_dir().display()
                ));
            }
            pair.private_key_file
        }
    };
    let pem = std::fs::read(&key_file).map_err(|e| format!("{}: {e}", key_file.display()))?;
    let token = issue_token(
        &TokenRequest {
            subject,
            roles,
            authority,
            organisation: org,
            issuer: config.auth.issuer.clone(),
            audience: config.auth.audience.clone(),
            ttl_seconds: ttl,
            kid: kid.or_else(|| Some(DEV_KID.to_string())),
            algorithm,
        },
        &pem,
    )?;
    outln!("{token}");
    Ok(())
}

/// `keygen`: a new key pair for `purpose` in `file` and beside it.
pub fn keygen(purpose: KeyPurpose, file: PathBuf) -> Result<(), String> {
    let pair = KeyPairFiles::beside(&file);
    pair.create()?;
    let pem = std::fs::read_to_string(&pair.public_key_file).map_err(|e| format!("{}: {e}", pair.public_key_file.display()))?;
    let key = creditregistry::ledger::signing::PublicKey::from_pem(&pem)?;
    let (private, public) = (pair.private_key_file.display(), pair.public_key_file.display());
    match purpose {
        KeyPurpose::Registry => outln!(
            "registry signing key {}\n  private key {private}\n  public key  {public}\n\
             serve every node with CREDITREGISTRY_SIGNING_KEY={private}; the first node to serve the store makes it the registry's key",
            key.key_id
        ),
        KeyPurpose::Token => outln!(
            "token-signing key\n  private key {private}\n  public key  {public}\n\
             trust it with CREDITREGISTRY_AUTH_KEYS=KID:EdDSA:{public} (KID: a key id of your choosing);\n\
             sign tokens with `creditregistry token --key {private} --kid KID --role ...`"
        ),
    }
    Ok(())
}

/// `rotate-key`: the key in `file` becomes the registry's current key.
pub fn rotate_key(config: &Config, runtime: &Runtime, file: PathBuf) -> Result<(), String> {
    runtime.block_on(async {
        let new = creditregistry::ledger::signing::RegistryKey::from_pem_file(&file)?;
        let store = Store::open_existing(&config.database_url(), &config.store_settings()).await.map_err(|e| e.to_string())?;
        let key = creditregistry::store::StoredKey {
            key_id: new.public().key_id.clone(),
            public_key: new.public().raw().to_vec(),
            added_at: chrono::Utc::now().timestamp_micros(),
            retired_at: None,
        };
        let rotated = store.audit().rotate_registry_key(&key).await.map_err(|e| e.to_string());
        store.close().await;
        let retired = rotated?.map_or_else(|| "no key before it".to_string(), |old| format!("{} retired", old.key_id));
        outln!(
            "the registry's signing key is now {} ({retired}); restart every node with CREDITREGISTRY_SIGNING_KEY={}",
            key.key_id,
            file.display()
        );
        Ok(())
    })
}

/// `registry-key`: the registry's current public key, PEM.
pub fn registry_key(config: &Config, runtime: &Runtime) -> Result<(), String> {
    // The store's current key where there is a store (after
    // `rotate-key` the configured or first-made key may be
    // retired); never makes a key: a new one would not be the
    // registry's.
    let key = match keys_in_store(config, runtime).and_then(|keys| keys.into_iter().next()) {
        Some(current) => current,
        None => config.registry_public_key().map_err(|e| {
            format!("{e}; `serve` makes the key of a SQLite store on first run in {} (a PostgreSQL store's is configured: CREDITREGISTRY_SIGNING_KEY); or fetch it from a running registry with AuditService.GetRegistryKeys", config.data_dir.display())
        })?,
    };
    eprintln!("key id {}", key.key_id);
    out!("{}", key.to_pem());
    Ok(())
}
