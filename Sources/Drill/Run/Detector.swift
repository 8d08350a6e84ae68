import Database
import Doctor
import Foundation
import Logging

/// Runs the doctor window after window while the surge is on, until its first diagnosis names one of
/// the drill's expected causes (the time to detect), or the surge ends.
enum Detector {
    static func detect(_ url: DatabaseURL, storeMetrics: URL?, window: Duration, expected: Set<Cause>,
                       surgeStart: ContinuousClock.Instant, until deadline: ContinuousClock.Instant,
                       logger: Logger) async -> DrillReport.Detection {
        var detection = DrillReport.Detection(expected: expected.map(\.rawValue).sorted(), named: false, diagnosis: nil, cause: nil,
                                              object: nil, fixes: [], windows: 0, secondsToDetect: nil)
        guard !expected.isEmpty else {
            detection.diagnosis = "no database cause to name: the drill measures recovery"
            return detection
        }
        while ContinuousClock.now < deadline && !Task.isCancelled && !detection.named {
            do {
                try await DoctorSession.with(url, logger: logger) { doctor in
                    while ContinuousClock.now < deadline && !Task.isCancelled {
                        let verdict = try await doctor.diagnose(DoctorOptions(window: window, storeMetrics: storeMetrics))
                        detection.windows += 1
                        let first = verdict.findings.first
                        detection.diagnosis = first?.diagnosisLine ?? "DIAGNOSIS: no database fault"
                        detection.cause = first?.cause.rawValue
                        detection.object = first?.object
                        detection.fixes = first?.fixes ?? []
                        if let first, expected.contains(first.cause) {
                            detection.named = true
                            detection.secondsToDetect = (ContinuousClock.now - surgeStart).seconds
                            return
                        }
                    }
                }
            } catch is CancellationError {
                break
            } catch DoctorError.refused(let message, "53300") where expected.contains(.connectionExhaustion) {
                // The doctor's own answer when no slot is left: "that is itself the incident".
                detection.windows += 1
                detection.named = true
                detection.cause = Cause.connectionExhaustion.rawValue
                detection.diagnosis = "DIAGNOSIS: connection exhaustion — " + DoctorError.refused(message: message, sqlState: "53300").description
                detection.secondsToDetect = (ContinuousClock.now - surgeStart).seconds
            } catch {
                // A window the doctor could not finish (the server restarting, no free slot): look again.
                detection.diagnosis = "the doctor could not look: \(error)"
                try? await Task.sleep(for: .seconds(1))
            }
        }
        return detection
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
