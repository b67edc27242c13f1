//! The settings file setup writes: the same TOML `serve --config` reads. Setup changes only the
//! three Mattermost keys and keeps everything else (other settings, comments, order). The file holds
//! secrets, so it is written owner-only (0600) and atomically: a reader never sees half a file.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, value};

use super::error::SetupError;

/// A settings file as read before setup changes anything.
#[derive(Debug, Default)]
pub struct ConfigFile {
    path: PathBuf,
    document: DocumentMut,
    /// The file's text as read; `None` when it does not exist yet.
    original: Option<String>,
}

/// What writing the file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Created,
    Updated,
    Unchanged,
}

impl ConfigFile {
    /// Reads the file if it exists. A file that is not valid TOML stops setup before anything
    /// changes: overwriting it would lose the admin's other settings.
    pub fn read(path: &Path) -> Result<Self, SetupError> {
        let original = match fs::read_to_string(path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(SetupError::ConfigFile(format!(
                    "Could not read the config file {}: {e}",
                    path.display()
                )));
            }
        };
        let document = match &original {
            Some(text) => text.parse::<DocumentMut>().map_err(|e| {
                SetupError::ConfigFile(format!(
                    "The config file {} is not valid TOML, so setup leaves it alone: {e}",
                    path.display()
                ))
            })?,
            None => DocumentMut::new(),
        };
        Ok(Self {
            path: path.to_path_buf(),
            document,
            original,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A string key's value, if the file sets it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.document.get(key)?.as_str()
    }

    pub fn set(&mut self, key: &str, text: &str) {
        if self.get(key) != Some(text) {
            self.document[key] = value(text);
        }
    }

    /// Writes the file if its text changed (owner-only, atomically), and makes sure an existing
    /// file is owner-only too.
    pub fn save(&self) -> Result<Written, SetupError> {
        let text = self.document.to_string();
        let fail = |what: &str, e: std::io::Error| {
            SetupError::ConfigFile(format!(
                "Could not {what} the config file {}: {e}",
                self.path.display()
            ))
        };
        if self.original.as_deref() == Some(text.as_str()) {
            restrict(&self.path).map_err(|e| fail("protect", e))?;
            return Ok(Written::Unchanged);
        }
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&dir).map_err(|e| fail("create the folder of", e))?;
        let name = self
            .path
            .file_name()
            .map_or_else(|| "config".into(), |n| n.to_string_lossy().into_owned());
        let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        // A leftover of an earlier run that died mid-write (same name only if the same pid).
        let _ = fs::remove_file(&temp);
        let result = write_private(&temp, &text).and_then(|()| fs::rename(&temp, &self.path));
        if let Err(e) = result {
            let _ = fs::remove_file(&temp);
            return Err(fail("write", e));
        }
        Ok(if self.original.is_some() {
            Written::Updated
        } else {
            Written::Created
        })
    }
}

/// Creates `path` readable and writable by its owner only, from the first byte on.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(unix)]
fn restrict(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)?.permissions().mode() & 0o777;
    if mode != 0o600 {
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_settings_and_comments_survive_and_a_second_save_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lotto.toml");
        fs::write(
            &path,
            "# mine\nlisten = \"0.0.0.0:8088\"\nbot_token = \"old\"\n",
        )
        .unwrap();
        let mut file = ConfigFile::read(&path).unwrap();
        file.set("bot_token", "new");
        file.set("slash_tokens", "a,b");
        assert_eq!(file.save().unwrap(), Written::Updated);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("# mine"), "{text}");
        assert!(text.contains("listen = \"0.0.0.0:8088\""), "{text}");
        assert!(text.contains("bot_token = \"new\""), "{text}");
        let mut again = ConfigFile::read(&path).unwrap();
        again.set("bot_token", "new");
        assert_eq!(again.save().unwrap(), Written::Unchanged);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("lotto.toml");
        let mut file = ConfigFile::read(&path).unwrap();
        file.set("bot_token", "t");
        assert_eq!(file.save().unwrap(), Written::Created);
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn a_file_that_is_not_toml_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lotto.toml");
        fs::write(&path, "this is = = not toml").unwrap();
        let err = ConfigFile::read(&path).unwrap_err();
        assert!(err.to_string().contains("leaves it alone"), "{err}");
    }
}
