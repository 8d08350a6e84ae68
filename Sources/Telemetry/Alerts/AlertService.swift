import Logging
import ServiceLifecycle
import Synchronization

/// Evaluates the alert rules in-process every few seconds; logs each transition, keeps the active
/// alerts for the dashboard, and posts transitions to the webhook when one is configured.
public final class AlertService: Service {
    private let evaluator: Mutex<AlertEvaluator>
    private let inputs: @Sendable () -> AlertInputs
    private let clock: TelemetryClock
    private let interval: Duration
    private let webhook: AlertWebhook?
    private let logger: Logger

    init(
        rules: [AlertRule], interval: Duration, webhook: AlertWebhook?, clock: TelemetryClock, logger: Logger,
        inputs: @escaping @Sendable () -> AlertInputs
    ) {
        self.evaluator = Mutex(AlertEvaluator(rules: rules))
        self.inputs = inputs
        self.clock = clock
        self.interval = interval
        self.webhook = webhook
        self.logger = logger
    }

    /// The alerts firing now.
    public var active: [ActiveAlert] { evaluator.withLock { $0.active } }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.evaluateNow()
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// Evaluates once: logs, posts, and returns the transitions.
    @discardableResult
    public func evaluateNow() async -> [AlertTransition] {
        let inputs = self.inputs()
        let now = clock.now()
        let transitions = evaluator.withLock { $0.evaluate(inputs, at: now) }
        for transition in transitions {
            switch transition {
            case .firing(let alert):
                logger.error("alert firing", metadata: Self.metadata(alert))
            case .resolved(let alert):
                logger.notice("alert resolved", metadata: Self.metadata(alert))
            }
        }
        if let webhook, !transitions.isEmpty {
            do {
                try await webhook.post(transitions)
            } catch {
                logger.warning("alert webhook failed", metadata: ["url": "\(webhook.url)", "error": "\(error)"])
            }
        }
        return transitions
    }

    private static func metadata(_ alert: ActiveAlert) -> Logger.Metadata {
        [
            "alert": .string(alert.name), "severity": .string(alert.severity), "route_class": .string(alert.routeClass),
            "value": .stringConvertible(alert.value), "summary": .string(alert.summary), "runbook_url": .string(alert.runbookURL),
        ]
    }
}
