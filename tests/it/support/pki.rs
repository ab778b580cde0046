//! A throwaway certificate authority made in the test, and a server certificate it signs for
//! the names a test needs (`localhost` and 127.0.0.1 always).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::registry::Stream;

pub struct Pki {
    /// The CA certificate, to be trusted by the client under test.
    pub ca_pem: String,
    /// A server configuration presenting a certificate for every name asked for.
    pub server: Arc<rustls::ServerConfig>,
}

impl Pki {
    /// A CA and a server certificate for `localhost`, 127.0.0.1 and `names` (DNS names).
    pub fn new(names: &[&str]) -> Pki {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "bsr throwaway test CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();

        let mut dns: Vec<String> = vec!["localhost".to_owned()];
        dns.extend(names.iter().map(|n| (*n).to_owned()));
        let mut params = CertificateParams::new(dns).unwrap();
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &ca).unwrap();

        let server = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
        Pki {
            ca_pem: ca.pem(),
            server: Arc::new(server),
        }
    }

    /// The server side of a TLS connection over `tcp`, or `None` if it cannot start.
    pub fn accept(&self, tcp: std::net::TcpStream) -> Option<Box<dyn Stream>> {
        let connection = rustls::ServerConnection::new(Arc::clone(&self.server)).ok()?;
        Some(Box::new(rustls::StreamOwned::new(connection, tcp)))
    }
}
