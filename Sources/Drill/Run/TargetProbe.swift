import Foundation
import NIOCore
import NIOPosix

/// Whether a store answers TCP at its address: checked before a drill sends it traffic.
enum TargetProbe {
    static func check(_ url: URL) async throws {
        guard let host = url.host, let port = url.port ?? (url.scheme == "https" ? 443 : 80) as Int? else {
            throw DrillError.targetUnreachable(url.absoluteString)
        }
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(3))
                .connect(host: host, port: port).get()
            try? await channel.close()
        } catch {
            throw DrillError.targetUnreachable(url.absoluteString)
        }
    }
}
