//! Simulated devices syncing through a simulated folder: whatever order they sync in, with
//! torn last lines, conflict copies and clocks that disagree, every device ends with every
//! event once, and its replay equals the replay of the union.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;

use super::*;
use crate::srs::clock::DayClock;
use crate::srs::scheduler::{Scheduler, SchedulerConfig};

const T0: i64 = 1_780_000_000_000;
const CARDS: [&str; 3] = ["a", "b", "c"];

#[derive(Debug, Clone)]
enum Op {
    /// Device `dev` does `what` to card `card` after `minutes`.
    Act {
        dev: usize,
        card: usize,
        what: u8,
        minutes: i64,
    },
    /// Device `dev` sets its clock off by `hours`.
    Skew { dev: usize, hours: i64 },
    /// Device `dev` syncs; other files are seen cut at this fraction (255: whole).
    Sync { dev: usize, cut: u8 },
    /// The sync tool keeps a copy of `dev`'s file cut at this fraction.
    Conflict { dev: usize, cut: u8 },
}

fn op(devices: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..devices, 0..CARDS.len(), 0u8..10, 0i64..3000)
            .prop_map(|(dev, card, what, minutes)| Op::Act { dev, card, what, minutes }),
        1 => (0..devices, -48i64..48).prop_map(|(dev, hours)| Op::Skew { dev, hours }),
        3 => (0..devices, any::<u8>()).prop_map(|(dev, cut)| Op::Sync { dev, cut }),
        1 => (0..devices, any::<u8>()).prop_map(|(dev, cut)| Op::Conflict { dev, cut }),
    ]
}

struct Device {
    id: DeviceId,
    skew_ms: i64,
    own: Vec<Event>,
    exported: usize,
    known: BTreeMap<EventId, Event>,
    cursors: HashMap<String, (Option<DeviceId>, Cursor)>,
}

impl Device {
    fn act(&mut self, now: i64, kind: EventKind) {
        let at = now + self.skew_ms;
        let event = Event {
            seq: self.own.len() as u64 + 1,
            order_at: order_time(at, self.own.last().map(|e| e.order_at)),
            at,
            kind,
        };
        let id = EventId {
            device: self.id.clone(),
            seq: event.seq,
        };
        self.known.insert(id, event.clone());
        self.own.push(event);
    }

    fn export(&mut self, files: &mut BTreeMap<String, Vec<u8>>) {
        let file = files
            .entry(file_name(&self.id))
            .or_insert_with(|| encode_header(&self.id).into_bytes());
        for e in &self.own[self.exported..] {
            file.extend_from_slice(encode_event(e).as_bytes());
        }
        self.exported = self.own.len();
    }

    fn import(&mut self, files: &BTreeMap<String, Vec<u8>>, cut: u8) {
        for (name, bytes) in files {
            if classify(name).is_none() {
                continue;
            }
            let seen = if cut == 255 {
                bytes.len()
            } else {
                bytes.len() * usize::from(cut) / 255
            };
            let (mut device, mut cursor) = self.cursors.get(name).cloned().unwrap_or_default();
            if cursor.offset as usize > seen {
                (device, cursor) = (None, Cursor::default());
            }
            let read = read_from(&bytes[cursor.offset as usize..seen], cursor);
            assert_eq!(read.error, None, "{name}");
            device = read.device.or(device);
            let Some(dev) = device.clone() else { continue };
            if dev == self.id {
                continue;
            }
            for e in read.events {
                let id = EventId {
                    device: dev.clone(),
                    seq: e.seq,
                };
                if let Some(old) = self.known.get(&id) {
                    assert_eq!(old, &e, "one id, one event");
                }
                self.known.insert(id, e);
            }
            self.cursors.insert(name.clone(), (device, read.cursor));
        }
    }
}

fn kind(what: u8, card: &str, dev: &Device) -> EventKind {
    let card = card.to_string();
    match what {
        0..=3 => EventKind::Answer {
            card,
            rating: what + 1,
            mode: 0,
            duration_ms: 1000,
            phase_before: 0,
            reschedules: true,
        },
        4 => EventKind::Suspend { card },
        5 => EventKind::Unsuspend { card },
        6 => EventKind::Bury {
            card,
            until_day: 20_600,
        },
        7 => EventKind::Forget { card },
        8 => EventKind::DueNow { card },
        _ => match dev
            .own
            .iter()
            .rev()
            .find(|e| matches!(e.kind, EventKind::Answer { .. }))
        {
            Some(e) => EventKind::Retract { seq: e.seq },
            None => EventKind::Unbury { card },
        },
    }
}

fn run(devices: usize, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let scheduler = Scheduler::new(SchedulerConfig::default()).unwrap();
    let clock = DayClock::default();
    let mut devs: Vec<Device> = (0..devices)
        .map(|i| Device {
            id: DeviceId::from_bits(0x1000 + i as u64 * 0x1111),
            skew_ms: 0,
            own: Vec::new(),
            exported: 0,
            known: BTreeMap::new(),
            cursors: HashMap::new(),
        })
        .collect();
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut now = T0;
    let mut copies = 0;
    for op in ops {
        match op {
            Op::Act {
                dev,
                card,
                what,
                minutes,
            } => {
                now += minutes * 60_000;
                let k = kind(what, CARDS[card], &devs[dev]);
                devs[dev].act(now, k);
            }
            Op::Skew { dev, hours } => devs[dev].skew_ms = hours * 3_600_000,
            Op::Sync { dev, cut } => {
                devs[dev].export(&mut files);
                devs[dev].import(&files, cut);
            }
            Op::Conflict { dev, cut } => {
                if let Some(bytes) = files.get(&file_name(&devs[dev].id)) {
                    let copy = bytes[..bytes.len() * usize::from(cut) / 255].to_vec();
                    copies += 1;
                    let name = format!("{} (conflicted copy {copies}).{EXTENSION}", devs[dev].id);
                    files.insert(name, copy);
                }
            }
        }
    }
    for d in &mut devs {
        d.export(&mut files);
    }
    let mut union = BTreeMap::new();
    for d in &devs {
        for e in &d.own {
            union.insert(
                EventId {
                    device: d.id.clone(),
                    seq: e.seq,
                },
                e.clone(),
            );
        }
    }
    let reference = replay_all(&union, &scheduler, &clock);
    for d in &mut devs {
        d.import(&files, 255);
        prop_assert_eq!(&d.known, &union, "device {} holds every event once", d.id);
        let replayed = replay_all(&d.known, &scheduler, &clock);
        prop_assert_eq!(&replayed, &reference);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn devices_converge_to_the_replay_of_the_union(
        (devices, ops) in (2usize..=4).prop_flat_map(|n| {
            (Just(n), proptest::collection::vec(op(n), 1..60))
        })
    ) {
        run(devices, ops)?;
    }
}
