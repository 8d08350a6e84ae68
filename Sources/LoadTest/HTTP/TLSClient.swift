import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// TLS for `https://` endpoints: one client context for the run, one handler per connection.
///
/// The server name indication carries the endpoint's host name (none for an IP address, as RFC 6066
/// requires); the certificate is verified against the system's trust roots and the host name or IP
/// address, unless `insecure` (a self-signed server on loopback).
public struct TLSClient: Sendable {
    let context: NIOSSLContext
    public let insecure: Bool

    public init(insecure: Bool) throws(PlanError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if insecure { configuration.certificateVerification = .none }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw PlanError(description: "cannot set up TLS: \(error)")
        }
        self.insecure = insecure
    }

    /// Puts a new TLS client handler for `endpoint` at the front of a new connection's pipeline.
    func addHandler(to channel: any Channel, endpoint: Endpoint) throws {
        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: endpoint.serverName))
    }

    /// Completes one handshake with `endpoint` before the run, so a certificate the client does not trust
    /// stops the run at once with one line saying how to fix it, instead of failing every request.
    ///
    /// A connection that cannot be made is not an error here: the run counts it like any refused connect.
    func checkHandshake(endpoint: Endpoint, address: SocketAddress, eventLoop: any EventLoop) async throws(PlanError) {
        let handshake = eventLoop.makePromise(of: Void.self)
        let timeout = eventLoop.scheduleTask(in: .seconds(5)) { handshake.fail(HandshakeTimeout()) }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(3))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try addHandler(to: channel, endpoint: endpoint)
                    try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(promise: handshake))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(to: address).get()
        } catch {
            timeout.cancel()
            handshake.fail(error)
            return
        }
        defer { channel.close(promise: nil) }
        do {
            try await handshake.futureResult.get()
            timeout.cancel()
        } catch {
            timeout.cancel()
            throw PlanError(description: Self.explain(error, endpoint: endpoint))
        }
    }

    /// One line: what failed and what to do about it.
    static func explain(_ error: any Error, endpoint: Endpoint) -> String {
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("failedToValidateHostname") {
            return "\(endpoint): the server's certificate is not trusted (\(certificateReason(text))); "
                + "pass --insecure to skip verification for a self-signed test server"
        }
        if text.contains("WRONG_VERSION_NUMBER") {
            return "\(endpoint): the server answered without TLS; is it an https server?"
        }
        if error is HandshakeTimeout {
            return "\(endpoint): no TLS handshake within 5 s; is it an https server?"
        }
        return "\(endpoint): TLS handshake failed (\(text.prefix(160))); is it an https server?"
    }

    private static func certificateReason(_ text: String) -> String {
        if text.contains("failedToValidateHostname") { return "its names do not match the host" }
        return "self-signed, expired or from an unknown issuer"
    }
}

private struct HandshakeTimeout: Error {}

/// Completes a promise when the TLS handshake succeeds, fails it on an error or a close.
private final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<Void>

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { promise.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }
}
