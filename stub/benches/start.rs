//! How long a Rust test suite waits for an in-process stub: `start()` to a
//! running server on 127.0.0.1:0 with the built-in fixtures, then the first
//! answered request. Run with `cargo bench -p humm-config-stub --bench start`.

use std::time::{Duration, Instant};

use humm_config_stub::{StubOptions, start};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let runs = 200;
    let (started, answered) = runtime.block_on(async {
        let http = reqwest::Client::new();
        let mut started = Vec::with_capacity(runs);
        let mut answered = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            let stub = start(StubOptions::default()).await.unwrap();
            started.push(t.elapsed());
            let url = format!(
                "{}/api/integration-sources/3c90c3cc-0d44-4b50-8888-8dd25736052a/saas-associations",
                stub.url()
            );
            let status = http.get(url).bearer_auth("bench").send().await.unwrap().status();
            assert_eq!(status, 200);
            answered.push(t.elapsed());
            stub.stop().await.unwrap();
        }
        (started, answered)
    });
    for (what, mut times) in [("start()", started), ("start() to first answer", answered)] {
        times.sort();
        println!(
            "{what:<26} median {:>8.3} ms  p90 {:>8.3} ms  max {:>8.3} ms  ({runs} runs)",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.9).as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
        );
    }
}
