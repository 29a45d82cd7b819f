use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::fs;

use super::{BlobError, BlobKey, BlobMeta, BlobStore, UrlSigner};

/// Objects as files under one directory: `<root>/<key>`, the content type in
/// `<root>/.meta/<key>`, and partial writes in `<root>/.tmp` until they are
/// renamed into place. Keys never start a segment with a dot, so neither
/// helper directory can be named by a key.
pub struct FsBlobStore {
    root: PathBuf,
    signer: UrlSigner,
    /// `http(s)://host[:port]/v1/blobs/`, where this service serves the files.
    url_base: String,
}

impl FsBlobStore {
    /// Opens (creating when missing) the store at `root`. `public_url` is where
    /// clients reach this service.
    pub async fn open(
        root: &Path,
        signer: UrlSigner,
        public_url: &url::Url,
    ) -> std::io::Result<Self> {
        for dir in [root.to_path_buf(), root.join(".tmp"), root.join(".meta")] {
            fs::create_dir_all(&dir).await?;
        }
        let url_base = format!("{}/v1/blobs/", public_url.as_str().trim_end_matches('/'));
        Ok(Self {
            root: root.to_path_buf(),
            signer,
            url_base,
        })
    }

    fn object_path(&self, key: &BlobKey) -> PathBuf {
        key.segments()
            .fold(self.root.clone(), |path, s| path.join(s))
    }

    fn meta_path(&self, key: &BlobKey) -> PathBuf {
        key.segments()
            .fold(self.root.join(".meta"), |path, s| path.join(s))
    }

    /// Writes through a temporary file and a rename, so a reader sees the old
    /// object or the new one, never half of one.
    async fn write_atomically(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).await?;
        }
        let tmp = self
            .root
            .join(".tmp")
            .join(uuid::Uuid::new_v4().to_string());
        fs::write(&tmp, bytes).await?;
        if let Err(e) = fs::rename(&tmp, path).await {
            let _ = fs::remove_file(&tmp).await;
            return Err(e);
        }
        Ok(())
    }

    async fn read_meta(&self, key: &BlobKey, size: u64) -> Result<BlobMeta, BlobError> {
        let content_type = match fs::read_to_string(self.meta_path(key)).await {
            Ok(text) => text,
            Err(e) if e.kind() == ErrorKind::NotFound => "application/octet-stream".to_owned(),
            Err(e) => return Err(unavailable(e)),
        };
        Ok(BlobMeta { size, content_type })
    }
}

fn unavailable(e: std::io::Error) -> BlobError {
    BlobError::Unavailable(e.to_string())
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, key: &BlobKey, bytes: Bytes, content_type: &str) -> Result<(), BlobError> {
        // The type first: once the object is visible its type is too.
        self.write_atomically(&self.meta_path(key), content_type.as_bytes())
            .await
            .map_err(unavailable)?;
        self.write_atomically(&self.object_path(key), &bytes)
            .await
            .map_err(unavailable)
    }

    async fn get(&self, key: &BlobKey) -> Result<(Bytes, BlobMeta), BlobError> {
        let bytes = match fs::read(self.object_path(key)).await {
            Ok(bytes) => Bytes::from(bytes),
            Err(e) if e.kind() == ErrorKind::NotFound => return Err(BlobError::NotFound),
            Err(e) => return Err(unavailable(e)),
        };
        let meta = self.read_meta(key, bytes.len() as u64).await?;
        Ok((bytes, meta))
    }

    async fn head(&self, key: &BlobKey) -> Result<Option<BlobMeta>, BlobError> {
        match fs::metadata(self.object_path(key)).await {
            Ok(m) if m.is_file() => Ok(Some(self.read_meta(key, m.len()).await?)),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        for path in [self.object_path(key), self.meta_path(key)] {
            match fs::remove_file(&path).await {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(unavailable(e)),
            }
        }
        Ok(())
    }

    async fn signed_url(&self, key: &BlobKey, expires_in: Duration) -> Result<String, BlobError> {
        Ok(format!(
            "{}{key}?{}",
            self.url_base,
            self.signer.sign(key, expires_in)
        ))
    }

    async fn list(&self, prefix: &BlobKey) -> Result<Vec<BlobKey>, BlobError> {
        let mut keys = Vec::new();
        let mut folders = vec![(self.object_path(prefix), prefix.as_str().to_owned())];
        while let Some((dir, name)) = folders.pop() {
            let mut entries = match fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(unavailable(e)),
            };
            while let Some(entry) = entries.next_entry().await.map_err(unavailable)? {
                let Some(file) = entry.file_name().to_str().map(str::to_owned) else {
                    continue;
                };
                let Ok(key) = BlobKey::parse(&format!("{name}/{file}")) else {
                    continue; // not an object: no key names it
                };
                if entry.file_type().await.map_err(unavailable)?.is_dir() {
                    folders.push((entry.path(), key.as_str().to_owned()));
                } else {
                    keys.push(key);
                }
            }
        }
        Ok(keys)
    }

    async fn check(&self) -> Result<(), BlobError> {
        // A write proves more than a stat: a full or read-only disk fails it.
        let probe = self.root.join(".tmp").join("readyz-probe");
        fs::write(&probe, b"ok").await.map_err(unavailable)?;
        fs::remove_file(&probe).await.map_err(unavailable)
    }

    fn kind(&self) -> &'static str {
        "fs"
    }
}
