//! Reading a file named by the user or a configuration: regular files only, and never more than
//! a stated number of bytes. A device (`/dev/zero`), a named pipe (which would block the read
//! forever) or a directory is refused with a message that says what it is, before it is opened.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be opened or read.
    Io(std::io::Error),
    /// The path names something other than a regular file.
    NotRegular(&'static str),
    /// The file is larger than the limit.
    TooLarge { size: u64, limit: u64 },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotRegular(what) => {
                write!(f, "this is {what}, not a regular file; nothing was read")
            }
            ReadError::TooLarge { size, limit } => write!(
                f,
                "the file is {size} bytes; the limit for this kind of file is {limit} bytes"
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// What a non-regular file is, in words.
fn kind_of(ft: std::fs::FileType) -> &'static str {
    if ft.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
    }
    "not a regular file"
}

/// Refuses `path` unless it is a regular file (links followed) of at most `limit` bytes.
/// Checked before the file is opened, so a named pipe never blocks.
pub fn check_regular(path: &Path, limit: u64) -> Result<std::fs::Metadata, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    Ok(meta)
}

/// The bytes of the regular file at `path`, at most `limit` of them: a file that grows past the
/// limit while it is read is refused too.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = check_regular(path, limit)?;
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    // The name may have been swapped between the check and the open.
    let opened = file.metadata().map_err(ReadError::Io)?;
    if !opened.is_file() {
        return Err(ReadError::NotRegular(kind_of(opened.file_type())));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// [`read_bounded`] as UTF-8 text; the error names the byte where the text stops being UTF-8.
pub fn read_text_bounded(path: &Path, limit: u64) -> Result<String, String> {
    let bytes = read_bounded(path, limit).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "the file is not UTF-8 text (byte {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "hello").unwrap();
        assert_eq!(read_bounded(&p, 5).unwrap(), b"hello");
        assert_eq!(read_text_bounded(&p, 100).unwrap(), "hello");
    }

    #[test]
    fn refuses_what_is_too_large_or_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "hello!").unwrap();
        let e = read_bounded(&p, 5).unwrap_err().to_string();
        assert!(e.contains("6 bytes") && e.contains("5 bytes"), "{e}");
        let e = read_bounded(dir.path(), 5).unwrap_err().to_string();
        assert!(e.contains("a directory"), "{e}");
        let e = read_bounded(&dir.path().join("none"), 5)
            .unwrap_err()
            .to_string();
        assert!(e.contains("No such file"), "{e}");
        std::fs::write(&p, b"ok\xff").unwrap();
        let e = read_text_bounded(&p, 100).unwrap_err();
        assert!(e.contains("byte 2"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_named_pipes_are_refused_without_reading() {
        let e = read_bounded(Path::new("/dev/zero"), 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a character device"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // Opening a named pipe for reading would block until a writer came: it is not opened.
        let e = read_bounded(&fifo, 1 << 20).unwrap_err().to_string();
        assert!(e.contains("named pipe"), "{e}");
    }
}
