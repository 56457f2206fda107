//! Speed of sync (target: taking 1,000 new events from another machine into a collection of
//! 1,000,000 reviews ≤ 300 ms, at a cost that grows with the new events, not with the history).
//!
//! `cargo bench --bench sync`. The large collection is generated once per run; its history is
//! written to this device's file once before measuring. Each measured sync reads one new
//! device file of N answers (on random generated cards, after the history) and replays the
//! cards they touch. `IAMDRILL_BENCH_REVIEWS` changes the large collection's size.

use std::hint::black_box;
use std::path::Path;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use iamdrill::srs::now_ms;
use iamdrill::store::generate::{GenSpec, generate_collection};
use iamdrill::sync::{DeviceId, Event, EventKind, encode_event, encode_header, file_name};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Writes another device's file of `n` answers on random cards of `cards` into `folder`
/// (the previous one removed: a deleted file changes nothing).
fn other_device(folder: &Path, k: u64, n: usize, cards: usize, t0: i64) -> DeviceId {
    let device = DeviceId::from_bits(0xbe00_0000_0000_0000 + k);
    let mut text = encode_header(&device);
    let mut x = k.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let at = t0 + i as i64 * 1000;
        text.push_str(&encode_event(&Event {
            seq: i as u64 + 1,
            order_at: at,
            at,
            kind: EventKind::Answer {
                card: format!("gen-{:06}", x % cards as u64),
                rating: (x % 4) as u8 + 1,
                mode: 0,
                duration_ms: 4000,
                phase_before: 2,
                reschedules: true,
            },
        }));
    }
    std::fs::write(folder.join(file_name(&device)), text).unwrap();
    device
}

fn bench_history(c: &mut Criterion, cards: usize, reviews: usize, events: &[usize]) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("progress.sqlite3");
    let now = now_ms();
    let spec = GenSpec {
        cards,
        reviews,
        now,
        seed: 7,
    };
    let (mut store, _) = generate_collection(&db, &spec).unwrap();
    let folder = dir.path().join("shared");
    std::fs::create_dir(&folder).unwrap();
    // This device's history goes to its file once, outside the measurement.
    store.sync_folder(&folder, "bench", now).unwrap();
    let mut k = 0u64;
    let mut previous: Option<DeviceId> = None;
    for &n in events {
        let name = format!("sync: {n} new events into {reviews} reviews");
        c.bench_function(&name, |b| {
            b.iter_batched(
                || {
                    if let Some(d) = previous.take() {
                        let _ = std::fs::remove_file(folder.join(file_name(&d)));
                    }
                    k += 1;
                    // Each batch's events come after the previous ones.
                    let t0 = now + k as i64 * 10_000_000;
                    previous = Some(other_device(&folder, k, n, cards, t0));
                },
                |()| {
                    let report = store.sync_folder(&folder, "bench", now).unwrap();
                    assert_eq!(report.answers_in(), n as u64);
                    black_box(report)
                },
                BatchSize::PerIteration,
            )
        });
    }
}

fn benches(c: &mut Criterion) {
    let reviews = env_number("IAMDRILL_BENCH_REVIEWS", 1_000_000);
    bench_history(c, 1_000, 10_000, &[1_000]);
    bench_history(c, 100_000, reviews, &[100, 1_000, 10_000]);
}

criterion_group! {
    name = sync;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(sync);
