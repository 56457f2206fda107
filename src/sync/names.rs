//! The names of device files in the shared folder, and of the copies sync tools make of them.
//!
//! A device writes `<device-id>.iamdrill-sync`. When a sync tool sees a file change on two
//! machines at once it keeps both, renaming one: Dropbox and Nextcloud write
//! `<device-id> (conflicted copy 2026-01-02).iamdrill-sync`, Syncthing
//! `<device-id>.sync-conflict-20260102-101010-ABCDEFG.iamdrill-sync`, Google Drive and iCloud
//! `<device-id> (1).iamdrill-sync` or `<device-id> 2.iamdrill-sync`. Every such copy is read
//! too; its events are deduplicated by their ids.

use super::DeviceId;

/// The extension of device files.
pub const EXTENSION: &str = "iamdrill-sync";

/// The name of a device's own file.
pub fn file_name(device: &DeviceId) -> String {
    format!("{device}.{EXTENSION}")
}

/// A file in the shared folder that holds a device's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceFile {
    /// The device its name starts with (its header says which device wrote it).
    pub device: DeviceId,
    /// A copy a sync tool made (not the device's own file).
    pub copy: bool,
}

/// Whether the file named `name` holds device events, and whose. Names a sync tool uses while
/// it writes (starting with `.` or `~`, or ending in `.tmp`) do not.
pub fn classify(name: &str) -> Option<DeviceFile> {
    let stem = name.strip_suffix(EXTENSION)?.strip_suffix('.')?;
    let id = stem.get(..DeviceId::LEN)?;
    let device = DeviceId::parse(id)?;
    let rest = &stem[DeviceId::LEN..];
    if rest.is_empty() {
        return Some(DeviceFile {
            device,
            copy: false,
        });
    }
    // A copy's name continues the id with a separator, never with another hex digit.
    matches!(rest.chars().next(), Some(' ' | '.' | '-' | '_' | '('))
        .then_some(DeviceFile { device, copy: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_files_and_every_tools_conflict_copies_are_recognised() {
        let id = DeviceId::from_bits(0xabcd_ef01_2345_6789);
        assert_eq!(file_name(&id), "abcdef0123456789.iamdrill-sync");
        let own = classify("abcdef0123456789.iamdrill-sync").unwrap();
        assert_eq!(
            own,
            DeviceFile {
                device: id.clone(),
                copy: false
            }
        );
        for copy in [
            "abcdef0123456789 (conflicted copy 2026-01-02).iamdrill-sync",
            "abcdef0123456789 (Ann's conflicted copy 2026-01-02).iamdrill-sync",
            "abcdef0123456789.sync-conflict-20260102-101010-ABCDEFG.iamdrill-sync",
            "abcdef0123456789 (1).iamdrill-sync",
            "abcdef0123456789 2.iamdrill-sync",
        ] {
            assert_eq!(
                classify(copy),
                Some(DeviceFile {
                    device: id.clone(),
                    copy: true
                }),
                "{copy}"
            );
        }
        for other in [
            "abcdef0123456789.iamdrill-sync.tmp",
            ".syncthing.abcdef0123456789.iamdrill-sync.tmp",
            "~abcdef0123456789.iamdrill-sync",
            "abcdef01234567890.iamdrill-sync",
            "ABCDEF0123456789.iamdrill-sync",
            "abcdef012345678.iamdrill-sync",
            "notes.txt",
            ".iamdrill-sync",
        ] {
            assert_eq!(classify(other), None, "{other}");
        }
    }
}
