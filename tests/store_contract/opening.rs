//! The store opened again as it is, and over TLS.

use super::*;
use creditregistry::store::Store;

pub(crate) async fn a_store_opened_as_it_is_reads_what_was_written<S: Backend>() {
    let Fresh { store, url, dir: _dir } = S::fresh().await;
    let mut frontier = Frontier::default();
    append(&store, &mut frontier, &[penalty_record(1, CODES[0], "r1", "P-1")]).await.unwrap();
    Backend::close(&store).await;
    let again = Store::open_existing(&url, &PgSettings::default()).await.unwrap();
    assert_eq!(again.ledger().head().await.unwrap(), 1);
    again.close().await;
    // Opening and migrating again changes nothing.
    let again = Store::open(&url, &PgSettings::default(), &Upgrade).await.unwrap();
    assert_eq!(again.ledger().head().await.unwrap(), 1);
    again.close().await;
}

/// TLS to PostgreSQL is set in the URL: with `sslmode=verify-full` and the
/// server's CA as `sslrootcert`, the store's connections are encrypted;
/// with a CA that did not sign the server's certificate, it does not open.
#[tokio::test]
async fn postgres_connections_use_tls_when_the_url_asks() {
    use sqlx::Connection;
    let make_certificates = |dir: &std::path::Path| -> Result<Vec<String>, String> {
        let openssl = |args: &[&str]| {
            let out = std::process::Command::new("openssl").args(args).current_dir(dir).output().map_err(|e| e.to_string())?;
            if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
        };
        for name in ["ca", "other-ca"] {
            openssl(&[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/CN={name}"),
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.pem"),
            ])?;
        }
        openssl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ])?;
        std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").map_err(|e| e.to_string())?;
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.pem",
        ])?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("server.key"), std::fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())?;
        Ok(vec![
            "ssl=on".into(),
            format!("ssl_cert_file={}", dir.join("server.pem").display()),
            format!("ssl_key_file={}", dir.join("server.key").display()),
        ])
    };
    let cluster = PgCluster::start_with(Durability::Off, make_certificates).expect("a cluster with TLS");
    let plain = cluster.database("tls").await.unwrap();
    let dir = cluster.data_dir().parent().unwrap().to_path_buf();
    let url = format!("{plain}?sslmode=verify-full&sslrootcert={}", dir.join("ca.pem").display());
    let store = Store::open(&url, &PgSettings::default(), &Upgrade).await.expect("opens over TLS");
    assert_eq!(store.ledger().head().await.unwrap(), 0);
    store.close().await;
    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    let encrypted: bool =
        sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetch_one(&mut db).await.unwrap();
    assert!(encrypted, "the connection is encrypted");
    let wrong = format!("{plain}?sslmode=verify-full&sslrootcert={}", dir.join("other-ca.pem").display());
    let err = Store::open(&wrong, &PgSettings::default(), &Upgrade).await.expect_err("a server the CA did not sign");
    assert!(!err.to_string().is_empty());
}
