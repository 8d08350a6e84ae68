import Foundation

/// What one verdict prints: once, as plain lines one after another under `--watch` into a pipe, or
/// one screen redrawn in place on a terminal.
public struct VerdictScreen: Sendable {
    public var json: Bool
    public var watch: Bool
    /// Home and clear before each verdict (a terminal under `--watch`).
    public var redraw: Bool

    public init(json: Bool, watch: Bool, redraw: Bool) {
        self.json = json
        self.watch = watch
        self.redraw = redraw
    }

    /// The text for `verdict`, seen at `date`.
    public func frame(_ verdict: Verdict, at date: Date = Date()) throws -> String {
        // Watching into a pipe with --json: one JSON line per verdict, nothing else, for a log shipper.
        if json && watch && !redraw { return try JSONReport.render(verdict, pretty: false) + "\n" }
        let body = json ? try JSONReport.render(verdict) + "\n" : TextReport.render(verdict)
        let stamp = "surge doctor — \(ISO8601DateFormatter().string(from: date)) — Ctrl-C to stop\n"
        if redraw { return "\u{1B}[H\u{1B}[2J" + stamp + body }
        return (watch ? stamp : "") + body
    }
}
