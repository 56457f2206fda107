//! Two to four databases sync through their own copies of a shared folder, which a simulated
//! sync tool copies between them: sometimes mid-write (a torn last line), sometimes as a
//! conflict copy, sometimes an older version over a newer one. The devices answer, suspend,
//! bury, forget, make due and undo with clocks that disagree, and sync in any order and as
//! often as they like. Afterwards every device holds the same answers (none twice, none lost)
//! and the same card states and flags, equal to replaying the union of all events on one device.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use iamdrill::srs::queue::CardRef;
use iamdrill::srs::scheduler::Rating;
use iamdrill::srs::session::{Session, SessionKind};
use iamdrill::store::Store;
use iamdrill::sync::{self, DeviceId, EventId, read_from};
use proptest::prelude::*;

const CARDS: [&str; 4] = ["iam-1", "iam-2", "kms-1", "kms-2"];

#[derive(Debug, Clone)]
enum Op {
    /// A mock-interview answer (always reschedules) after `minutes`.
    Answer {
        dev: usize,
        card: usize,
        rating: u8,
        minutes: i64,
    },
    /// Answers the review session's current card.
    Review {
        dev: usize,
        rating: u8,
    },
    Undo {
        dev: usize,
    },
    Suspend {
        dev: usize,
        card: usize,
        on: bool,
    },
    Bury {
        dev: usize,
    },
    Unbury {
        dev: usize,
        card: usize,
    },
    Forget {
        dev: usize,
        card: usize,
    },
    DueNow {
        dev: usize,
        card: usize,
    },
    Skew {
        dev: usize,
        hours: i64,
    },
    Sync {
        dev: usize,
    },
    /// The sync tool copies `owner`'s file from folder `from` to folder `to`, cut at
    /// `cut`/255 of its length, as a conflict copy when `conflict`.
    Copy {
        owner: usize,
        from: usize,
        to: usize,
        cut: u8,
        conflict: bool,
    },
}

fn op(n: usize) -> impl Strategy<Value = Op> {
    let d = 0..n;
    prop_oneof![
        5 => (d.clone(), 0..CARDS.len(), 1u8..=4, 0i64..2000)
            .prop_map(|(dev, card, rating, minutes)| Op::Answer { dev, card, rating, minutes }),
        2 => (d.clone(), 1u8..=4).prop_map(|(dev, rating)| Op::Review { dev, rating }),
        1 => d.clone().prop_map(|dev| Op::Undo { dev }),
        1 => (d.clone(), 0..CARDS.len(), any::<bool>())
            .prop_map(|(dev, card, on)| Op::Suspend { dev, card, on }),
        1 => d.clone().prop_map(|dev| Op::Bury { dev }),
        1 => (d.clone(), 0..CARDS.len()).prop_map(|(dev, card)| Op::Unbury { dev, card }),
        1 => (d.clone(), 0..CARDS.len()).prop_map(|(dev, card)| Op::Forget { dev, card }),
        1 => (d.clone(), 0..CARDS.len()).prop_map(|(dev, card)| Op::DueNow { dev, card }),
        1 => (d.clone(), -30i64..30).prop_map(|(dev, hours)| Op::Skew { dev, hours }),
        4 => d.clone().prop_map(|dev| Op::Sync { dev }),
        4 => (d.clone(), d.clone(), d, any::<u8>(), proptest::bool::weighted(0.2))
            .prop_map(|(owner, from, to, cut, conflict)| Op::Copy { owner, from, to, cut, conflict }),
    ]
}

struct Device {
    store: Store,
    folder: PathBuf,
    id: DeviceId,
    skew_ms: i64,
    session: Option<Session>,
}

fn refs() -> Vec<CardRef<'static>> {
    CARDS
        .iter()
        .map(|id| CardRef { id, topic: "iam" })
        .collect()
}

fn rating(n: u8) -> Rating {
    Rating::from_number(i64::from(n)).unwrap()
}

/// Every answer a database holds: event id and what was answered.
fn answers(path: &Path) -> BTreeSet<(String, i64, String, i64, i64, i64)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT d.id, l.seq, c.id, l.reviewed_at, l.rating, l.mode FROM review_log AS l
             JOIN sync_devices AS d ON d.n = l.device JOIN card_ids AS c ON c.n = l.card",
        )
        .unwrap();
    let rows: Vec<_> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let set: BTreeSet<_> = rows.iter().cloned().collect();
    assert_eq!(set.len(), rows.len(), "no answer twice");
    set
}

/// Every event of every device, from the devices' own files.
fn union(devs: &[Device]) -> BTreeMap<EventId, sync::Event> {
    let mut out = BTreeMap::new();
    for d in devs {
        let bytes = std::fs::read(d.folder.join(sync::file_name(&d.id))).unwrap();
        let read = read_from(&bytes, sync::Cursor::default());
        assert_eq!(read.error, None);
        assert_eq!(read.device.as_ref(), Some(&d.id));
        for e in read.events {
            let id = EventId {
                device: d.id.clone(),
                seq: e.seq,
            };
            out.insert(id, e);
        }
    }
    out
}

fn run(n: usize, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let t0 = iamdrill::srs::clock::now_ms();
    let mut now = t0;
    let mut devs: Vec<Device> = (0..n)
        .map(|i| {
            let folder = dir.path().join(format!("folder-{i}"));
            std::fs::create_dir(&folder).unwrap();
            let mut store = Store::open_path(&dir.path().join(format!("db-{i}.sqlite3"))).unwrap();
            store.set_limits(100, 100).unwrap();
            let id = store.device_id().unwrap();
            Device {
                store,
                folder,
                id,
                skew_ms: 0,
                session: None,
            }
        })
        .collect();
    let mut copies = 0;
    for op in ops {
        match op {
            Op::Answer {
                dev,
                card,
                rating: r,
                minutes,
            } => {
                now += minutes * 60_000;
                let d = &mut devs[dev];
                d.store
                    .record_mock(CARDS[card], rating(r), 1000, now + d.skew_ms)
                    .unwrap();
            }
            Op::Review { dev, rating: r } => {
                let d = &mut devs[dev];
                let at = now + d.skew_ms;
                if d.session.as_ref().is_none_or(|s| s.current().is_none()) {
                    let kind = SessionKind::Review { topics: vec![] };
                    d.session = Some(d.store.start_session(refs(), kind, at).unwrap());
                }
                let session = d.session.as_mut().unwrap();
                d.store.answer(session, rating(r), 800, at).unwrap();
            }
            Op::Undo { dev } => {
                let d = &mut devs[dev];
                if let Some(session) = d.session.as_mut() {
                    // Refused when the card was answered since (here or by a sync).
                    let _ = d.store.undo(session, now + d.skew_ms);
                }
            }
            Op::Suspend { dev, card, on } => {
                let at = now + devs[dev].skew_ms;
                devs[dev].store.set_suspended(CARDS[card], on, at).unwrap();
            }
            Op::Bury { dev } => {
                let d = &mut devs[dev];
                if let Some(session) = d.session.as_mut() {
                    d.store.bury(session, now + d.skew_ms).unwrap();
                }
            }
            Op::Unbury { dev, card } => {
                let at = now + devs[dev].skew_ms;
                devs[dev].store.unbury(CARDS[card], at).unwrap();
            }
            Op::Forget { dev, card } => {
                let at = now + devs[dev].skew_ms;
                devs[dev].store.forget(CARDS[card], at).unwrap();
            }
            Op::DueNow { dev, card } => {
                let d = &mut devs[dev];
                d.store
                    .reschedule_today(CARDS[card], now + d.skew_ms)
                    .unwrap();
            }
            Op::Skew { dev, hours } => devs[dev].skew_ms = hours * 3_600_000,
            Op::Sync { dev } => {
                let d = &mut devs[dev];
                let report = d
                    .store
                    .sync_folder(&d.folder, &format!("device {dev}"), now + d.skew_ms)
                    .unwrap();
                prop_assert!(report.problems.is_empty(), "{:?}", report.problems);
            }
            Op::Copy {
                owner,
                from,
                to,
                cut,
                conflict,
            } => {
                let name = sync::file_name(&devs[owner].id);
                let Ok(bytes) = std::fs::read(devs[from].folder.join(&name)) else {
                    continue;
                };
                let bytes = &bytes[..bytes.len() * usize::from(cut) / 255];
                let target = if conflict {
                    copies += 1;
                    format!(
                        "{} (conflicted copy {copies}).{}",
                        devs[owner].id,
                        sync::EXTENSION
                    )
                } else if to == owner {
                    // A device's own file is never replaced under it.
                    continue;
                } else {
                    name
                };
                std::fs::write(devs[to].folder.join(target), bytes).unwrap();
            }
        }
    }
    // Everyone writes everything, the tool delivers every file whole, everyone reads.
    for (i, d) in devs.iter_mut().enumerate() {
        d.store
            .sync_folder(&d.folder, &format!("device {i}"), now)
            .unwrap();
    }
    for owner in 0..n {
        let name = sync::file_name(&devs[owner].id);
        let bytes = std::fs::read(devs[owner].folder.join(&name)).unwrap();
        for to in (0..n).filter(|&to| to != owner) {
            std::fs::write(devs[to].folder.join(&name), &bytes).unwrap();
        }
    }
    for (i, d) in devs.iter_mut().enumerate() {
        let report = d
            .store
            .sync_folder(&d.folder, &format!("device {i}"), now)
            .unwrap();
        prop_assert!(report.problems.is_empty(), "{:?}", report.problems);
    }
    let union = union(&devs);
    let reference =
        sync::replay::replay_all(&union, devs[0].store.scheduler(), &devs[0].store.clock());
    let first = answers(devs[0].store.path());
    for (i, d) in devs.iter().enumerate() {
        prop_assert_eq!(&answers(d.store.path()), &first, "device {} answers", i);
        let progress = d.store.load_progress().unwrap();
        for card in CARDS {
            let want = reference.get(card);
            let got = progress.get(card);
            let want_state = want.and_then(|w| w.state).unwrap_or_default();
            let got_state = got.map(|g| g.state).unwrap_or_default();
            prop_assert_eq!(got_state, want_state, "device {} card {} state", i, card);
            let want_flags = want.map(|w| w.flags).unwrap_or_default();
            prop_assert_eq!(
                got.map(|g| (g.suspended, g.buried_until))
                    .unwrap_or_default(),
                (want_flags.suspended, want_flags.buried_until),
                "device {} card {} flags",
                i,
                card
            );
        }
    }
    // The answers held are the union's answers less the undone ones.
    let undone: BTreeSet<(String, u64)> = union
        .iter()
        .filter_map(|(id, e)| match e.kind {
            sync::EventKind::Retract { seq } => Some((id.device.to_string(), seq)),
            _ => None,
        })
        .collect();
    let expected: BTreeSet<(String, i64)> = union
        .iter()
        .filter(|(id, e)| {
            matches!(e.kind, sync::EventKind::Answer { .. })
                && !undone.contains(&(id.device.to_string(), id.seq))
        })
        .map(|(id, _)| (id.device.to_string(), id.seq as i64))
        .collect();
    let held: BTreeSet<(String, i64)> = first.iter().map(|a| (a.0.clone(), a.1)).collect();
    prop_assert_eq!(held, expected);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_device_ends_with_the_replay_of_the_union(
        (n, ops) in (2usize..=4).prop_flat_map(|n| (Just(n), proptest::collection::vec(op(n), 1..50)))
    ) {
        run(n, ops)?;
    }
}
