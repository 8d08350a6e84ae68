import NIOCore
import NIOPosix

/// Keep-alive connections to one endpoint, owned by one event loop; requests queue when all are busy.
///
/// Time spent in the queue is part of the latency measured from the intended start, so a slow server
/// cannot hide behind a full pool.
final class ConnectionPool {
    let endpoint: Endpoint
    /// Resolved once before the run: connecting skips name resolution and Happy Eyeballs.
    let address: SocketAddress
    let eventLoop: any EventLoop
    let maxConnections: Int
    private let bootstrap: ClientBootstrap
    private var idle: [HTTPConnection] = []
    private var all: [ObjectIdentifier: HTTPConnection] = [:]
    private var opening = 0
    private var waiters = CircularBuffer<PendingRequest>()
    private var shutDown = false

    /// - Parameters:
    ///   - tls: required when `endpoint.tls`; each connection gets its own TLS handler from it.
    init(endpoint: Endpoint, address: SocketAddress, eventLoop: any EventLoop, maxConnections: Int, connectTimeout: TimeAmount,
         tls: TLSClient? = nil) {
        self.endpoint = endpoint
        self.address = address
        self.eventLoop = eventLoop
        self.maxConnections = max(1, maxConnections)
        var bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .connectTimeout(connectTimeout)
        if endpoint.tls, let tls {
            // Requests written before the handshake ends are buffered by the TLS handler.
            bootstrap = bootstrap.channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try tls.addHandler(to: channel, endpoint: endpoint) }
            }
        }
        self.bootstrap = bootstrap
    }

    var openConnections: Int { all.count + opening }

    func execute(_ request: PendingRequest) {
        if shutDown {
            request.onComplete(.failure(.connectFailed("the run is over")), request.enqueuedAtNanos, MonotonicClock.nowNanos())
            return
        }
        if let connection = idle.popLast() {
            connection.send(request)
            return
        }
        waiters.append(request)
        if openConnections < maxConnections { connect() }
    }

    private func connect() {
        opening += 1
        bootstrap.connect(to: address).assumeIsolated().whenComplete { result in
            self.opening -= 1
            switch result {
            case .success(let channel):
                let connection = HTTPConnection(channel: channel, pool: self)
                do {
                    try channel.pipeline.syncOperations.addHandler(connection)
                } catch {
                    channel.close(promise: nil)
                    self.failNextWaiter(.connectFailed(String(describing: error)))
                    return
                }
                self.all[ObjectIdentifier(connection)] = connection
                if self.shutDown {
                    channel.close(promise: nil)
                } else {
                    self.release(connection)
                }
            case .failure(let error):
                self.failNextWaiter(Self.classify(connectError: error, endpoint: self.endpoint))
            }
        }
    }

    private func failNextWaiter(_ error: TransportError) {
        if let waiter = waiters.popFirst() {
            waiter.onComplete(.failure(error), waiter.enqueuedAtNanos, MonotonicClock.nowNanos())
        }
        if !waiters.isEmpty, openConnections < maxConnections, !shutDown { connect() }
    }

    static func classify(connectError error: any Error, endpoint: Endpoint) -> TransportError {
        let text = String(describing: error)
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return .connectTimeout("\(endpoint)")
        }
        if text.lowercased().contains("refused") { return .connectRefused("\(endpoint)") }
        if text.contains("connectTimeout") { return .connectTimeout("\(endpoint)") }
        return .connectFailed("\(endpoint): \(text)")
    }

    /// A connection finished its request and can take the next one.
    func release(_ connection: HTTPConnection) {
        if shutDown {
            connection.channel.close(promise: nil)
        } else if let waiter = waiters.popFirst() {
            connection.send(waiter)
        } else {
            idle.append(connection)
        }
    }

    func connectionClosed(_ connection: HTTPConnection) {
        all[ObjectIdentifier(connection)] = nil
        idle.removeAll { $0 === connection }
        if !waiters.isEmpty, openConnections < maxConnections, !shutDown { connect() }
    }

    /// Fails requests that waited or ran longer than `timeoutNanos`.
    func expire(nowNanos: Int64, timeoutNanos: Int64) {
        while let first = waiters.first, nowNanos - first.enqueuedAtNanos > timeoutNanos {
            waiters.removeFirst()
            first.onComplete(.failure(.readTimeout), first.enqueuedAtNanos, nowNanos)
        }
        for connection in all.values where connection.pending != nil && nowNanos - connection.sentAtNanos > timeoutNanos {
            connection.abort(.readTimeout)
        }
    }

    /// Closes every connection; waiting and running requests fail.
    func shutdown() {
        shutDown = true
        let now = MonotonicClock.nowNanos()
        while let waiter = waiters.popFirst() {
            waiter.onComplete(.failure(.readTimeout), waiter.enqueuedAtNanos, now)
        }
        for connection in all.values { connection.abort(.readTimeout) }
        idle.removeAll()
    }
}
