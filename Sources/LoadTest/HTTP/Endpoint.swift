/// A scheme, host and port the generator connects to (`http`, or `https` over TLS).
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// True for `https://`: every connection runs TLS (SNI from `host` unless it is an IP address).
    public var tls: Bool

    public init(host: String, port: Int, tls: Bool = false) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// True when `url` starts with `http://` or `https://`.
    public static func isAbsolute(_ url: String) -> Bool {
        url.hasPrefix("http://") || url.hasPrefix("https://")
    }

    /// Parses `http[s]://host[:port][/path]` into the endpoint and the path (default `/`).
    public static func parse(url: String) -> (endpoint: Endpoint, path: String)? {
        let tls: Bool
        let rest: Substring
        if url.hasPrefix("http://") {
            tls = false
            rest = url.dropFirst("http://".count)
        } else if url.hasPrefix("https://") {
            tls = true
            rest = url.dropFirst("https://".count)
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.isEmpty { path = "/" } else if path.first == "?" { path = "/" + path }
        var host = String(authority)
        var port = tls ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let parsed = Int(after.dropFirst()) else { return nil }
                port = parsed
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let parsed = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = parsed
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        return (Endpoint(host: host, port: port, tls: tls), path)
    }

    /// True for 127.0.0.0/8, ::1 and localhost.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The `Host` header value (the port is left out when it is the scheme's default).
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// The name sent in the TLS server name indication: the host, unless it is an IP address (RFC 6066).
    public var serverName: String? {
        if host.contains(":") { return nil }
        let isIPv4 = host.split(separator: ".", omittingEmptySubsequences: false).count == 4
            && host.allSatisfy { $0 == "." || $0.isASCII && $0.isNumber }
        return isIPv4 ? nil : host
    }

    public var description: String { tls ? "https://\(hostHeader)" : hostHeader }
}
