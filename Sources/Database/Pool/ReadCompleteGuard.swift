import NIOCore
import PostgresNIO
import Synchronization

/// Keeps PostgresNIO 1.33 from crashing the process when the server goes away in the middle of a
/// multi-row result.
///
/// PostgresNIO streams rows with backpressure: while its consumer has not asked for more rows, it
/// holds back the channel's `read()`. Its row-stream state machine assumes that no
/// `channelReadComplete` arrives until it has let a `read()` through, and stops the process with a
/// `preconditionFailure` ("How can we receive a body part, after a channelReadComplete, but no read
/// has been forwarded yet") when one does (`RowStreamStateMachine.channelReadComplete`). SwiftNIO
/// breaks that assumption exactly once: at end of file it "always fires read complete", read or no
/// read (`BaseSocketChannel.readable0`). So a PostgreSQL restart (`pg_ctl stop -m immediate`,
/// `pg_terminate_backend`, a failover) that closes a connection between two batches of a result
/// whose consumer had not yet asked for the next one took the whole store down (seen in
/// `Benchmarks/burst.sh`'s restart phase, issue 17). The same shape was fixed in AsyncHTTPClient
/// (swift-server/async-http-client#450); PostgresNIO has no fix at the version mirrored here.
///
/// This handler sits first in the connection's pipeline and lets a `channelReadComplete` through only
/// when a `read()` reached the socket since the last one. Nothing changes in normal operation (every
/// read loop follows a `read()`); at end of file the premature "complete" is held back, the
/// `channelInactive` that follows fails the query with a connection error, and the pool replaces the
/// connection. A held-back "complete" is delivered after the next `read()`, should one ever come.
final class ReadCompleteGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let name = "surge.read-complete-guard"

    /// A `read()` reached the socket since the last `channelReadComplete` went through. A connection
    /// is guarded while idle, when PostgresNIO reads freely: start as if one had.
    private var readSinceComplete = true
    /// A `channelReadComplete` arrived without a `read()` and was held back.
    private var heldComplete = false
    /// How many were held back (for tests).
    private(set) var heldBack = 0

    func read(context: ChannelHandlerContext) {
        readSinceComplete = true
        context.read()
        if heldComplete {
            heldComplete = false
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.execute {
                let (handler, context) = loopBound.value
                handler.channelReadComplete(context: context)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard readSinceComplete else {
            heldComplete = true
            heldBack += 1
            return
        }
        readSinceComplete = false
        context.fireChannelReadComplete()
    }
}

extension ReadCompleteGuard {
    /// A pooled connection: its pool and its id within that pool.
    struct Key: Hashable {
        var pool: ObjectIdentifier
        var id: PostgresConnection.ID
    }

    /// Puts a guard first in `connection`'s pipeline, once per connection (`installed` remembers
    /// which). PostgresNIO does not expose a pooled connection's channel; it is read by reflection,
    /// and a PostgresNIO whose connection has no `channel` simply goes unguarded. The handler is added
    /// on the channel's event loop, ahead of any statement the caller sends afterwards (tasks on one
    /// event loop run in order).
    static func install(on connection: PostgresConnection, of pool: PostgresClient, installed: borrowing Mutex<Set<Key>>) {
        let key = Key(pool: ObjectIdentifier(pool), id: connection.id)
        guard installed.withLock({ $0.insert(key).inserted }) else { return }
        guard let channel = Mirror(reflecting: connection).children.first(where: { $0.label == "channel" })?.value as? any Channel else { return }
        channel.eventLoop.execute {
            guard channel.isActive else { return }
            try? channel.pipeline.syncOperations.addHandler(ReadCompleteGuard(), name: name, position: .first)
        }
    }
}
