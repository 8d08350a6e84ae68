import Testing
import Telemetry

/// The one reader of the Prometheus text format (the doctor's store causes and capacity's evidence).
@Suite struct PrometheusTextTests {
    @Test func sumsSeriesByNameAndLabels() {
        let page = PrometheusText("""
            # HELP surge_db_pool_waiters Callers waiting for a pool connection.
            # TYPE surge_db_pool_waiters gauge
            surge_db_pool_waiters 3
            surge_admission_rejected_total{class="browse"} 10
            surge_admission_rejected_total{class="checkout",note="a \\"quoted\\" value"} 5 1700000000000
            surge_db_pool_connections{state="in_use"} 7
            surge_db_pool_connections{state="idle"} 1
            """)
        #expect(page.sum("surge_db_pool_waiters") == 3)
        #expect(page.sum("surge_admission_rejected_total") == 15)
        #expect(page.sum("surge_db_pool_connections", matching: ["state": "in_use"]) == 7)
        #expect(page.sum("missing") == nil)
        #expect(page.labelValues("surge_admission_rejected_total", "class") == ["browse", "checkout"])
    }

    @Test func readsEscapesSpecialValuesTimestampsAndSkipsGarbage() {
        let page = PrometheusText("""
            # TYPE x counter
            x_total{a="1",b="with \\"quote\\", comma"} 3
            y 2.5 1700000000000
            \tz{le="+Inf"} +Inf
            n NaN
            garbage line without value
            nolabels{unclosed 4
            """)
        #expect(page.sum("x_total", matching: ["b": "with \"quote\", comma"]) == 3)
        #expect(page.sum("y") == 2.5)
        #expect(page.sum("z") == .infinity)
        #expect(page.sum("n")?.isNaN == true)
        #expect(page.samples.count == 4)
    }

    @Test func theStoresOwnExpositionReadsBack() {
        let page = PrometheusText("""
            surge_http_requests_total{class="browse",method="GET",route="/v1/products/{id}",status="200"} 12
            surge_http_requests_total{class="browse",method="GET",route="/v1/search",status="503"} 2
            """)
        #expect(page.sum("surge_http_requests_total", matching: ["route": "/v1/products/{id}"]) == 12)
        #expect(page.sum("surge_http_requests_total", matching: ["status": "503"]) == 2)
    }
}
