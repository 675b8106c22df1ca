//! `dxf2 value set|get|delete`: single data values, as DHIS2 2.36–2.42's `/api/dataValues`
//! handles them (the rules are [`import_engine::single_value`]'s): the default option combo when
//! `--co` is left out, `--cc` and `--cp` only together and resolved to the attribute option combo,
//! `--follow-up` toggling the stored flag, locked periods and unknown identifiers refused with
//! DHIS2's codes and messages; and the files of `FILE_RESOURCE` and `IMAGE` values (`--file`,
//! `--file-out`), kept in the store one-to-one with their values.
//!
//! Exit status: 0 done, 1 DHIS2 refuses the request (its code and message on stderr; with
//! `--json`, DHIS2's web message on stdout), 2 unusable arguments, files or store.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{ArgAction, Args, Subcommand};
use dxf2_io::{Compression, OutputBuilder};
use dxf2_model::Metadata;
use import_engine::file_resource::MAX_FILE_BYTES;
use import_engine::single_value::{
    DataValues, NewFile, Saved, ValueChange, ValueError, ValueParams,
};
use import_engine::store::StoredValue;
use import_engine::{AccessPolicy, Superuser, UserAccess};

use crate::location::{AnyStore, StoreLocation};
use crate::{ui, Exit};

/// `dxf2 value …`.
#[derive(Subcommand, Debug)]
pub enum ValueCommand {
    /// Save one data value, as DHIS2's `POST /api/dataValues` (or, with --file, `POST
    /// /api/dataValues/file`): a value or comment given replaces the stored one (an empty one
    /// clears it), --follow-up toggles the stored flag.
    Set(SetArgs),
    /// Print one stored data value, as DHIS2's `GET /api/dataValues` (or write a file value's
    /// file with --file-out, as `GET /api/dataValues/files`).
    Get(GetArgs),
    /// Delete one data value (and a file value's file), as DHIS2's `DELETE /api/dataValues`.
    Delete(DeleteArgs),
}

/// The key of a value, and how to answer.
#[derive(Args, Debug)]
pub struct KeyArgs {
    /// The store: a SQLite file, or a PostgreSQL database as `postgres://user@host:port/db`.
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// The data element (UID).
    #[arg(long, value_name = "DE")]
    pub de: String,
    /// The period (ISO, e.g. 202401).
    #[arg(long, value_name = "P")]
    pub pe: String,
    /// The org unit (UID).
    #[arg(long, value_name = "OU")]
    pub ou: String,
    /// The category option combo (UID; default: the default combo).
    #[arg(long, value_name = "COC")]
    pub co: Option<String>,
    /// The attribute category combo (UID; only with --cp).
    #[arg(long, value_name = "ATTRIBUTE_COMBO")]
    pub cc: Option<String>,
    /// The attribute category options (UIDs separated by `;`; only with --cc).
    #[arg(long, value_name = "OPTION;OPTION")]
    pub cp: Option<String>,
    /// A data set whose locking and input periods apply (UID; default: the data element's).
    #[arg(long, value_name = "DS")]
    pub ds: Option<String>,
    /// Act as this user of the metadata (default: a superuser reaching every org unit, who is
    /// never locked out, as DHIS2's superusers hold F_EDIT_EXPIRED).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Print DHIS2's answer: a value as `["12"]`, a refusal as DHIS2's web message.
    #[arg(long)]
    pub json: bool,
}

impl KeyArgs {
    fn params(&self) -> ValueParams {
        ValueParams {
            data_element: self.de.clone(),
            period: self.pe.clone(),
            org_unit: self.ou.clone(),
            category_option_combo: self.co.clone(),
            attribute_combo: self.cc.clone(),
            attribute_options: self.cp.clone(),
            data_set: self.ds.clone(),
        }
    }
}

/// Arguments of `dxf2 value set`.
#[derive(Args, Debug)]
pub struct SetArgs {
    #[command(flatten)]
    pub key: KeyArgs,
    /// The value (an empty one clears the stored value).
    #[arg(long, value_name = "V", allow_hyphen_values = true)]
    pub value: Option<String>,
    /// The comment (an empty one clears the stored comment).
    #[arg(long, value_name = "C", allow_hyphen_values = true)]
    pub comment: Option<String>,
    /// Mark for follow-up. As DHIS2 does, any value given toggles the stored flag of an existing
    /// value (`false` too); a new value takes it as given.
    #[arg(long, value_name = "BOOL", action = ArgAction::Set)]
    pub follow_up: Option<bool>,
    /// Skip the locking checks (superusers only, as in DHIS2).
    #[arg(long)]
    pub force: bool,
    /// FILE_RESOURCE and IMAGE elements: store this file and save its UID as the value.
    #[arg(long, value_name = "PATH", conflicts_with = "value")]
    pub file: Option<PathBuf>,
}

/// Arguments of `dxf2 value get`.
#[derive(Args, Debug)]
pub struct GetArgs {
    #[command(flatten)]
    pub key: KeyArgs,
    /// FILE_RESOURCE and IMAGE elements: write the value's file here (`-` for stdout).
    #[arg(long, value_name = "PATH")]
    pub file_out: Option<PathBuf>,
}

/// Arguments of `dxf2 value delete`.
#[derive(Args, Debug)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub key: KeyArgs,
    /// Skip the locking checks (superusers only, as in DHIS2).
    #[arg(long)]
    pub force: bool,
}

/// The store and its metadata, opened for a value command.
struct Opened {
    store: AnyStore,
    metadata: Metadata,
}

fn open(key: &KeyArgs, read_only: bool) -> Result<Opened, Exit> {
    let mut store = crate::store::open_existing(&key.store, read_only)?;
    let metadata = store
        .load_metadata()
        .map_err(|e| crate::store::store_error(&key.store, &e))?;
    Ok(Opened { store, metadata })
}

/// Runs `f` with the API acting as `--user` (or a superuser).
fn with_api<T>(
    key: &KeyArgs,
    metadata: &Metadata,
    f: impl FnOnce(&DataValues<'_>) -> T,
) -> Result<T, Exit> {
    let superuser = Superuser::default();
    let user;
    let access: &dyn AccessPolicy = match &key.user {
        Some(name) => {
            user = UserAccess::by_username(metadata, name)
                .ok_or_else(|| Exit::usage(format!("no user named `{name}` in the metadata")))?;
            &user
        }
        None => &superuser,
    };
    Ok(f(&DataValues::new(metadata, access)))
}

/// A failed request: DHIS2's refusal (exit 1; with --json its web message on stdout) or the
/// store's failure (exit 2).
fn failed(key: &KeyArgs, e: ValueError) -> Exit {
    match &e {
        ValueError::Refused(r) => {
            if key.json {
                print_stdout(&format!("{}\n", r.web_message_json()));
            }
            Exit {
                code: 1,
                message: r.to_string(),
            }
        }
        ValueError::Store(s) => crate::store::store_error(&key.store, s),
        _ => Exit::usage(format!("--store {}: {e}", key.store)),
    }
}

fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// `dxf2 value set`.
pub fn run_set(args: &SetArgs) -> Result<u8, Exit> {
    let file = match &args.file {
        None => None,
        Some(path) => Some(read_file(path)?),
    };
    let Opened {
        mut store,
        metadata,
    } = open(&args.key, false)?;
    let params = args.key.params();
    let change = ValueChange {
        value: args.value.clone(),
        comment: args.comment.clone(),
        follow_up: args.follow_up,
        force: args.force,
    };
    let result = with_api(&args.key, &metadata, |api| match &file {
        Some((name, content_type, bytes)) => {
            let new = NewFile {
                name,
                content_type,
                bytes,
            };
            api.set_file(store.as_mut(), &params, &new, &change)
        }
        None => api.set(store.as_mut(), &params, &change),
    })?;
    let outcome = result.map_err(|e| failed(&args.key, e))?;
    let said = match outcome.saved {
        Saved::Created => "stored".to_owned(),
        Saved::Restored => "stored again (the key held a deleted value)".to_owned(),
        Saved::Updated => "updated".to_owned(),
        Saved::Deleted => "deleted: it was left with neither value nor comment (or a TRUE_ONLY \
                           value saved with nothing, or a zero the data element does not keep), \
                           which DHIS2 deletes"
            .to_owned(),
        Saved::NothingToStore => "nothing stored: neither a value nor a comment was given, as \
                                  DHIS2 does"
            .to_owned(),
        Saved::InsignificantZero => "nothing stored: DHIS2 does not keep a zero for this data \
                                     element (zeroIsSignificant is false)"
            .to_owned(),
        _ => "done".to_owned(),
    };
    let mut message = format!("value {}: {said}", describe(&args.key));
    if let Some(row) = outcome.row.as_ref().filter(|r| !r.deleted) {
        message.push_str(&format!("; {}", row_summary(row)));
    }
    if let Some(f) = &outcome.file {
        message.push_str(&format!(
            "; file `{}` ({} bytes, {}) stored as file resource {}",
            f.name, f.content_length, f.content_type, f.uid
        ));
    }
    for uid in &outcome.deleted_files {
        message.push_str(&format!("; file resource {uid} deleted"));
    }
    ui::note(&message);
    Ok(0)
}

/// `dxf2 value get`.
pub fn run_get(args: &GetArgs) -> Result<u8, Exit> {
    let Opened {
        mut store,
        metadata,
    } = open(&args.key, true)?;
    let params = args.key.params();
    if let Some(out) = &args.file_out {
        let (resource, bytes) = with_api(&args.key, &metadata, |api| {
            api.file(store.as_mut(), &params)
        })?
        .map_err(|e| failed(&args.key, e))?;
        let mut builder = OutputBuilder::new();
        builder.compression(Compression::None);
        if let Some(file) = args.key.store.file() {
            builder.protect(file);
        }
        let mut output = builder
            .create(out)
            .map_err(|e| Exit::usage(e.to_string()))?;
        output
            .write_all(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|()| output.commit().map_err(|e| e.to_string()))
            .map_err(|e| Exit {
                code: 2,
                message: format!("writing {}: {e}", out.display()),
            })?;
        if out.as_os_str() != "-" {
            ui::note(&format!(
                "wrote file `{}` ({} bytes, {}; file resource {}) to {}",
                resource.name,
                bytes.len(),
                resource.content_type,
                resource.uid,
                out.display()
            ));
        }
        return Ok(0);
    }
    let row = with_api(&args.key, &metadata, |api| api.get(store.as_mut(), &params))?
        .map_err(|e| failed(&args.key, e))?;
    if args.key.json {
        let value = row.value.as_deref().map_or_else(
            || "null".to_owned(),
            |v| serde_json::Value::String(v.to_owned()).to_string(),
        );
        print_stdout(&format!("[{value}]\n"));
    } else {
        if let Some(value) = &row.value {
            print_stdout(&format!("{value}\n"));
        }
        ui::note(&format!(
            "value {}: {}",
            describe(&args.key),
            row_summary(&row)
        ));
    }
    Ok(0)
}

/// `dxf2 value delete`.
pub fn run_delete(args: &DeleteArgs) -> Result<u8, Exit> {
    let Opened {
        mut store,
        metadata,
    } = open(&args.key, false)?;
    let params = args.key.params();
    let outcome = with_api(&args.key, &metadata, |api| {
        api.delete(store.as_mut(), &params, args.force)
    })?
    .map_err(|e| failed(&args.key, e))?;
    let mut message = format!("value {}: deleted", describe(&args.key));
    if let Some(uid) = outcome.deleted_file {
        message.push_str(&format!(", with its file (file resource {uid})"));
    }
    ui::note(&message);
    Ok(0)
}

/// `DE/PE/OU` as the user gave them.
fn describe(key: &KeyArgs) -> String {
    format!("{}/{}/{}", key.de, key.pe, key.ou)
}

/// The stored row, for people.
fn row_summary(row: &StoredValue) -> String {
    format!(
        "value {}, comment {}, follow-up {}, option combos {}/{}, stored by {}, last updated {}",
        row.value
            .as_deref()
            .map_or_else(|| "none".to_owned(), |v| format!("`{v}`")),
        row.comment
            .as_deref()
            .map_or_else(|| "none".to_owned(), |c| format!("`{c}`")),
        row.followup,
        row.key.category_option_combo,
        row.key.attribute_option_combo,
        row.stored_by.as_deref().unwrap_or("-"),
        row.last_updated.format("%Y-%m-%dT%H:%M:%S"),
    )
}

/// A file to store: its name, MIME type (from its extension) and bytes, refused when larger
/// than a data value file may be.
fn read_file(path: &Path) -> Result<(String, String, Vec<u8>), Exit> {
    let err = |e: std::io::Error| Exit::usage(format!("--file {}: {e}", path.display()));
    let size = std::fs::metadata(path).map_err(err)?.len();
    if size > u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX) {
        return Err(Exit::usage(format!(
            "--file {}: {size} bytes; a data value's file may have {MAX_FILE_BYTES} at most",
            path.display()
        )));
    }
    let bytes = std::fs::read(path).map_err(err)?;
    let name = path
        .file_name()
        .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
    Ok((name, content_type(path).to_owned(), bytes))
}

/// The MIME type of a file, by its extension (what a browser sends DHIS2 for an upload).
fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "xml" => "application/xml",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type(Path::new("a/Photo.JPG")), "image/jpeg");
        assert_eq!(content_type(Path::new("report.pdf")), "application/pdf");
        assert_eq!(content_type(Path::new("noext")), "application/octet-stream");
    }
}
