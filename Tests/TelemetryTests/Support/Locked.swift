import Synchronization

/// A value shared between tasks in a test.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    var value: Value { mutex.withLock { $0 } }
    func set(_ value: Value) { mutex.withLock { $0 = value } }
    func update(_ body: @Sendable (inout Value) -> Void) { mutex.withLock { body(&$0) } }
}
