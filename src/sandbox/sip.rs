//! The AudioCodes stand-in's SIP TLS listener: each handshake gets the certificate the device
//! holds at that moment, so a read-back by probe is real.

use super::*;

/// The AudioCodes stand-in's SIP TLS listener on a free loopback port: each handshake gets the
/// certificate of [`audiocodes::SIP_CONTEXT`] as it is at that moment.
pub(super) fn serve_sip(
    runtime: &tokio::runtime::Runtime,
    state: Shared,
    port: u16,
) -> Result<SocketAddr, SandboxError> {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| SandboxError::Certificate(e.to_string()))?
    .with_no_client_auth()
    .with_cert_resolver(Arc::new(audiocodes::Served(state)));
    let (listener, address) = listen(runtime, port)?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    runtime.spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                use tokio::io::AsyncReadExt as _;
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                // No SIP is spoken: the handshake is the point. The peer's bytes are read until
                // it closes (or for a few seconds at most).
                let mut buffer = [0u8; 1024];
                let _ = tokio::time::timeout(Duration::from_secs(5), async {
                    while matches!(tls.read(&mut buffer).await, Ok(n) if n > 0) {}
                })
                .await;
            });
        }
    });
    Ok(address)
}
