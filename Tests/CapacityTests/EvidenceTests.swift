import Foundation
import Testing
@testable import Capacity

@Suite struct EvidenceTests {
    @Test func listeningSocketsAreFoundByPortInProcNetTCP() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:4772 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 51234 1 0000000000000000 100 0 0 10 0
               1: 0100007F:4772 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 51299 1 0000000000000000 20 4 30 10 -1
            """
        #expect(LocalProcesses.listeningInodes(table, port: 0x4772) == ["51234"])
        #expect(LocalProcesses.listeningInodes(table, port: 80).isEmpty)
    }

    @Test func theServerBehindAPortIsThisProcessForAnInProcessServer() async throws {
        let server = try await ContentionServer.start(baseServiceSeconds: 0.001, sigma: 0, kappa: 0)
        let group = ProcessGroup.listening(on: server.port, name: "surge", includeChildren: false)
        await server.stop()
        #expect(group?.rootPID == getpid())
    }
}
