/// A self-contained HTML page (inline CSS, no scripts, no network) built from sections.
public struct HTMLPage: Sendable {
    public var title: String
    private var body: [String] = []

    public init(title: String) { self.title = title }

    public mutating func heading(_ text: String) { body.append("<h2>\(Self.escape(text))</h2>") }
    public mutating func paragraph(_ text: String) { body.append("<p>\(Self.escape(text))</p>") }
    /// Raw, already-safe markup (an SVG chart).
    public mutating func raw(_ markup: String) { body.append("<div class=\"chart\">\(markup)</div>") }

    public mutating func table(headers: [String], rows: [[String]]) {
        var html = "<table><tr>" + headers.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>"
        for row in rows { html += "<tr>" + row.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>" }
        body.append(html + "</table>")
    }

    public func render() -> String {
        """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
        <style>
        body{font-family:sans-serif;margin:24px;color:#222;max-width:1000px}
        table{border-collapse:collapse;margin:8px 0 16px}
        th,td{border:1px solid #ccc;padding:3px 8px;text-align:right;font-size:13px}
        th{background:#f3f3f3}
        td:first-child,th:first-child{text-align:left}
        .chart{margin:12px 0}
        </style></head><body>
        <h1>\(Self.escape(title))</h1>
        \(body.joined(separator: "\n"))
        </body></html>
        """
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
