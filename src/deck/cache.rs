//! A cache of checked decks, so a deck file is parsed and validated once per change.
//!
//! Each user deck file that loads without problems is stored in a compact binary layout (see
//! [`codec`]) in the cache directory (`deck-cache/` in the data directory), keyed by the file's
//! path, size, modification time and a hash of its bytes. A later load reads the file, hashes
//! it, and takes the cached deck when all four match; otherwise the file is parsed and checked
//! again and the entry rewritten.
//!
//! The cache can never make a load fail: an entry that is missing, unreadable, from another
//! version or damaged is ignored and rewritten. Entries are written to a temporary file (mode
//! 0600) and renamed into place, so a reader sees an old entry or a new one, never half of one,
//! and two processes writing at once leave one whole entry. Built-in decks are cached by their
//! name and a hash of their text, so start-up does not parse their YAML.
//!
//! After an entry is written, [`DeckCache::sweep`] removes the entries nobody can use again:
//! those of deck files that no longer exist and those of older cache formats.

pub mod codec;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::UNIX_EPOCH;

use super::index::DeckIndex;
use super::model::Deck;

/// First line of every entry: a format change or another release makes old entries misses.
const HEADER: &str = concat!("iamdrill deck cache 4 ", env!("CARGO_PKG_VERSION"), "\n");

/// The file name ending of entries in the current format.
const ENTRY_EXT: &str = "bin";

/// What a cached deck is valid for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub path: String,
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (0 when unknown).
    pub mtime_ns: u64,
    /// [`content_hash`] of the bytes that were parsed.
    pub hash: u64,
}

impl Key {
    /// The key of `bytes` read from `path` with metadata `meta`.
    pub fn of(path: &Path, meta: &std::fs::Metadata, bytes: &[u8]) -> Key {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        Key {
            path: path.display().to_string(),
            size: bytes.len() as u64,
            mtime_ns,
            hash: content_hash(bytes),
        }
    }
}

/// The origin prefix of built-in decks in cache keys (no file has such a path).
pub const BUILTIN_PREFIX: &str = "built-in:";

impl Key {
    /// The key of a built-in deck: its name and text (part of the binary, so no file time).
    pub fn builtin(name: &str, text: &str) -> Key {
        Key {
            path: format!("{BUILTIN_PREFIX}{name}"),
            size: text.len() as u64,
            mtime_ns: 0,
            hash: content_hash(text.as_bytes()),
        }
    }
}

/// A fast 64-bit hash of file contents (not for adversaries: it tells an edited deck from the
/// one cached). Each step is a bijection of the state, so two texts of the same length that
/// differ in one 8-byte word never collide.
pub fn content_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (bytes.len() as u64) ^ 0x517C_C1B7_2722_0A95;
    let mut step = |w: u64| h = (h ^ w).wrapping_mul(K).rotate_left(29);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        step(u64::from_le_bytes(w));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        step(u64::from_le_bytes(w));
    }
    // Final avalanche (MurmurHash3's fmix64).
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

/// The cache directory.
#[derive(Debug, Clone)]
pub struct DeckCache {
    dir: PathBuf,
}

impl DeckCache {
    pub fn new(dir: impl Into<PathBuf>) -> DeckCache {
        DeckCache { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry file for a deck file.
    fn entry(&self, key: &Key) -> PathBuf {
        self.dir.join(format!(
            "{:016x}.{ENTRY_EXT}",
            content_hash(key.path.as_bytes())
        ))
    }

    /// The cached deck for exactly this key, or `None` (missing, stale or damaged entry).
    pub fn get(&self, key: &Key) -> Option<Deck> {
        let bytes = std::fs::read(self.entry(key)).ok()?;
        let mut r = self.reader(&bytes, key)?;
        r.section()?;
        let deck = codec::read_deck(&mut r)?;
        r.is_done().then_some(deck)
    }

    /// The index of the cached deck for exactly this key (its card ids and topics, without
    /// reading the cards' text), or `None` (missing, stale or damaged entry).
    pub fn get_index(&self, key: &Key) -> Option<DeckIndex> {
        use std::io::Read;
        // The header, the key and the index section's length come first (a key is a path and
        // three numbers: far less than `HEAD`); then only the section is read, not the cards.
        const HEAD: u64 = 16 * 1024;
        let mut file = std::fs::File::open(self.entry(key)).ok()?;
        let mut bytes = Vec::new();
        (&mut file).take(HEAD).read_to_end(&mut bytes).ok()?;
        let (start, len) = {
            let mut r = self.reader(&bytes, key)?;
            let len = usize::try_from(r.u64()?).ok()?;
            (HEADER.len() + r.position(), len)
        };
        let end = start.checked_add(len)?;
        if end > bytes.len() {
            let more = u64::try_from(end - bytes.len()).ok()?;
            file.take(more).read_to_end(&mut bytes).ok()?;
        }
        let mut section = codec::Reader::new(bytes.get(start..end)?);
        let index = codec::read_index(&mut section)?;
        section.is_done().then_some(index)
    }

    /// A reader after the header and key of an entry, when they are this format's and `key`.
    fn reader<'b>(&self, bytes: &'b [u8], key: &Key) -> Option<codec::Reader<'b>> {
        let mut r = codec::Reader::new(bytes.strip_prefix(HEADER.as_bytes())?);
        (read_key(&mut r)? == *key).then_some(r)
    }

    /// Stores a checked deck, its index first (see [`DeckCache::get_index`]). A failure
    /// (read-only or full disk) only means the next load parses the file again, so it is not
    /// an error.
    pub fn put(&self, key: &Key, deck: &Deck) {
        let mut w = codec::Writer::default();
        w.bytes.extend_from_slice(HEADER.as_bytes());
        write_key(&mut w, key);
        w.section(|w| codec::write_index(w, &DeckIndex::of(deck)));
        codec::write_deck(&mut w, deck);
        let _ = self.write_atomically(&self.entry(key), &w.bytes);
    }

    /// Removes entries that can never be used again: entries of deck files that no longer
    /// exist, entries of older cache formats, and temporary files an interrupted write left
    /// more than an hour ago. Entries of other releases whose deck files exist are left to be
    /// rewritten on their next use. Errors are ignored: the cache is only a cache.
    pub fn sweep(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let stale = if name.starts_with('.') && name.ends_with(".tmp") {
                entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age.as_secs() > 3600)
            } else if name.ends_with(".json") {
                true
            } else if name.ends_with(&format!(".{ENTRY_EXT}")) {
                entry_source(&path).is_some_and(|source| {
                    !source.starts_with(BUILTIN_PREFIX) && !Path::new(&source).exists()
                })
            } else {
                false
            };
            if stale {
                let _ = std::fs::remove_file(&path);
            }
        }
    }

    fn write_atomically(&self, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        create_private_dir(&self.dir)?;
        let name = target.file_name().unwrap_or_default().to_string_lossy();
        let tmp = self.dir.join(format!(
            ".{name}.{}.{}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| {
            let mut file = private_file(&tmp)?;
            file.write_all(bytes)?;
            file.flush()?;
            drop(file);
            std::fs::rename(&tmp, target)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }
}

fn write_key(w: &mut codec::Writer, key: &Key) {
    let Key {
        path,
        size,
        mtime_ns,
        hash,
    } = key;
    w.str(path);
    w.u64(*size);
    w.u64(*mtime_ns);
    w.u64(*hash);
}

fn read_key(r: &mut codec::Reader<'_>) -> Option<Key> {
    Some(Key {
        path: r.str()?.to_string(),
        size: r.u64()?,
        mtime_ns: r.u64()?,
        hash: r.u64()?,
    })
}

/// The deck file an entry of any release of the current layout was made from, reading only
/// the start of the entry.
fn entry_source(entry: &Path) -> Option<String> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4200);
    std::fs::File::open(entry)
        .ok()?
        .take(4200)
        .read_to_end(&mut head)
        .ok()?;
    let prefix = HEADER.split(' ').take(4).collect::<Vec<_>>().join(" ");
    if !head.starts_with(prefix.as_bytes()) {
        return None;
    }
    let line_end = head.iter().position(|&b| b == b'\n')?;
    let mut r = codec::Reader::new(&head[line_end + 1..]);
    r.str().map(str::to_string)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECK: &str = "id: d\ntitle: T\ncards:\n  - id: a\n    topic: kms\n    question: Q?\n    answer: A.\n    key_points: [x, {text: y, accept: [z], claim: {subject: SCP, relation: overrides}}]\n";

    fn deck() -> Deck {
        serde_yaml::from_str(DECK).unwrap()
    }

    fn key(hash: u64) -> Key {
        Key {
            path: "/decks/d.yaml".into(),
            size: 10,
            mtime_ns: 5,
            hash,
        }
    }

    #[test]
    fn a_deck_comes_back_only_for_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DeckCache::new(dir.path().join("deck-cache"));
        assert_eq!(cache.get(&key(1)), None);
        cache.put(&key(1), &deck());
        assert_eq!(cache.get(&key(1)), Some(deck()));
        assert_eq!(cache.get_index(&key(1)), Some(DeckIndex::of(&deck())));
        assert_eq!(cache.get(&key(2)), None);
        assert_eq!(cache.get_index(&key(2)), None);
        assert_eq!(
            cache.get(&Key {
                mtime_ns: 6,
                ..key(1)
            }),
            None
        );
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(cache.dir()).unwrap().collect();
        assert_eq!(names.len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let entry = names[0].as_ref().unwrap().path();
            let mode = std::fs::metadata(entry).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn damaged_or_foreign_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DeckCache::new(dir.path());
        cache.put(&key(1), &deck());
        let entry = cache.entry(&key(1));
        let good = std::fs::read(&entry).unwrap();
        let mut other_release = b"iamdrill deck cache 2 0.0.0\n".to_vec();
        other_release.extend_from_slice(&good[HEADER.len()..]);
        let mut trailing = good.clone();
        trailing.push(0);
        for bad in [
            Vec::new(),
            good[..good.len() / 2].to_vec(),
            good[..good.len() - 1].to_vec(),
            other_release,
            trailing,
            b"\x00\x01binary".to_vec(),
            // An entry of the JSON format that came before.
            b"iamdrill deck cache 1 0.1.0\n{}\n{}".to_vec(),
        ] {
            std::fs::write(&entry, &bad).unwrap();
            assert_eq!(cache.get(&key(1)), None, "{bad:?}");
        }
        // The index section is read on its own: an entry cut inside it, or of another format,
        // gives no index.
        let index_end = good.len() - {
            let mut w = codec::Writer::default();
            codec::write_deck(&mut w, &deck());
            w.bytes.len()
        };
        for bad in [
            good[..index_end - 1].to_vec(),
            good[..HEADER.len() + 3].to_vec(),
            b"iamdrill deck cache 3 0.0.0\n".to_vec(),
        ] {
            std::fs::write(&entry, &bad).unwrap();
            assert_eq!(cache.get_index(&key(1)), None, "{bad:?}");
        }
        cache.put(&key(1), &deck());
        assert_eq!(cache.get(&key(1)), Some(deck()));
    }

    #[test]
    fn sweeping_removes_entries_of_deleted_files_and_old_formats_only() {
        let dir = tempfile::tempdir().unwrap();
        let decks = dir.path().join("decks");
        std::fs::create_dir_all(&decks).unwrap();
        let cache = DeckCache::new(dir.path().join("deck-cache"));
        let kept = decks.join("kept.yaml");
        let gone = decks.join("gone.yaml");
        for file in [&kept, &gone] {
            std::fs::write(file, DECK).unwrap();
            let meta = std::fs::metadata(file).unwrap();
            cache.put(&Key::of(file, &meta, DECK.as_bytes()), &deck());
        }
        std::fs::write(cache.dir().join("0123456789abcdef.json"), "old").unwrap();
        std::fs::write(cache.dir().join(".x.bin.1.0.tmp"), "being written").unwrap();
        std::fs::write(cache.dir().join("notes.txt"), "not ours").unwrap();
        std::fs::remove_file(&gone).unwrap();
        cache.sweep();
        let mut names: Vec<String> = std::fs::read_dir(cache.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let kept_entry = cache
            .entry(&Key::of(&kept, &std::fs::metadata(&kept).unwrap(), b""))
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        // A fresh temporary file may be another process's write in progress: it stays.
        assert_eq!(names, [".x.bin.1.0.tmp", &kept_entry, "notes.txt"]);
    }

    #[test]
    fn the_hash_tells_small_edits_apart() {
        let a = DECK.as_bytes();
        let mut seen = std::collections::HashSet::new();
        assert!(seen.insert(content_hash(a)));
        for i in 0..a.len() {
            let mut b = a.to_vec();
            b[i] ^= 1;
            assert!(seen.insert(content_hash(&b)), "flip at {i}");
            assert!(seen.insert(content_hash(&a[..i])), "prefix {i}");
        }
    }
}
