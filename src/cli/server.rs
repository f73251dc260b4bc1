//! `serve` and `migrate`.

use std::net::SocketAddr;

use tokio::runtime::Runtime;

use creditregistry::auth::DEV_KID;
use creditregistry::config::{Config, KeyAlgorithm, KeyConfig};
use creditregistry::keys::KeyPairFiles;
use creditregistry::store::Store;

/// `serve`: on `listen` when given; with `dev`, the development key made
/// (once) and trusted, and plain text allowed on a loopback address.
pub fn serve(mut config: Config, runtime: &Runtime, dev: bool, listen: Option<SocketAddr>) -> Result<(), String> {
    if let Some(listen) = listen {
        config.listen = listen;
    }
    if dev {
        use_dev_keys(&mut config)?;
        // Plain text, on a loopback address only; a configured certificate still serves TLS.
        config.tls.plaintext = true;
    }
    runtime.block_on(async {
        let running = creditregistry::server::start(&config).await?;
        outln!("creditregistry serving gRPC on {}", running.addr);
        if dev {
            outln!(
                "development tokens: cargo run -- token --role enforcement --authority example:sh-pudong-amr\n\
                 \x20                   cargo run -- token --role procurement"
            );
        }
        running.wait_for_signal().await
    })
}

/// `migrate`: the schema created or brought up to date.
pub fn migrate(config: &Config, runtime: &Runtime) -> Result<(), String> {
    runtime.block_on(async {
        let holder = format!("`migrate` (process {})", std::process::id());
        let _claim = Store::claim(&config.database_url(), &holder).map_err(|e| e.to_string())?;
        let store = Store::open(&config.database_url(), &config.store_settings(), &creditregistry::audit::block::Upgrade)
            .await
            .map_err(|e| e.to_string())?;
        store.close().await;
        outln!("schema up to date: {}", creditregistry::store::redacted(&config.database_url()));
        Ok(())
    })
}

/// Creates the development key pair if needed and trusts it.
fn use_dev_keys(config: &mut Config) -> Result<(), String> {
    let pair = KeyPairFiles::in_dir(&config.dev_keys_dir());
    if pair.ensure()? {
        tracing::info!(dir = %config.dev_keys_dir().display(), "created the development key pair");
    }
    config.auth.keys.push(KeyConfig {
        kid: DEV_KID.into(),
        algorithm: KeyAlgorithm::EdDSA,
        public_key_file: pair.public_key_file,
    });
    Ok(())
}
