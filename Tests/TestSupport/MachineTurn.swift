/// The solo test process runs its suites side by side on a small machine. A test that compares
/// throughput with its own earlier measurement, and one that saturates the machine on purpose (the
/// doctor's CPU-saturation and checkpoint-storm injections), take turns here so the two never
/// overlap; everything else still runs beside them. (With the storm and the saturation beside it,
/// `capacityComesBackAfterARestartUnderSteadyLoad` failed in three runs of three, its second window
/// at 1–197 pages/s against 93–305 in its first; it can still fail when other processes load the
/// machine, which no turn here prevents.)
public actor MachineTurn {
    private static let shared = MachineTurn()
    private var taken = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` once no other turn is running.
    public static func take<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await shared.acquire()
        do {
            let result = try await body()
            await shared.release()
            return result
        } catch {
            await shared.release()
            throw error
        }
    }

    private func acquire() async {
        guard taken else {
            taken = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            taken = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
