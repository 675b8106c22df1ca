//! `dxf2`: read, check, convert, import and export DHIS2 DXF2 data value sets offline.
//!
//! Exit status: 0 success (or an import with status SUCCESS/WARNING), 1 an import with status
//! ERROR (or WARNING with `--fail-on-warning`) or an export DHIS2 would refuse, 2 unusable input
//! or arguments.
//!
//! One vocabulary: `--format` is the format of the file a command reads (`import`, `validate`),
//! or of the file it writes when it reads none (`export`); `convert`, which does both, has
//! `--from` and `--to`. Without them the file name's extension decides, and an extension that
//! contradicts them is refused.

#![forbid(unsafe_code)]

mod args;
mod convert;
mod export;
mod export_hints;
mod geometry;
mod import;
mod inspect;
mod jobs;
mod journal;
mod location;
mod metadata;
mod pdf;
mod progress;
mod store;
mod summary;
mod sync;
mod template;
mod tracker;
mod ui;
mod value;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// `--version`: the tool's version and the DHIS2 versions it answers as.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\nDHIS2 versions: 2.36 to 2.44 (2.36-2.42: the classic importer and export, the default \
     2.42; 2.43-2.44: the new pipeline)"
);

/// Read, check, convert, import and export DHIS2 DXF2 data value sets, without a DHIS2 server.
#[derive(Parser, Debug)]
#[command(name = "dxf2", version = VERSION, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Progress on stderr: a line on terminals (auto), JSON lines for programs (json:
    /// phase, bytes read, size, values, elapsed), or none (off).
    #[arg(long, global = true, value_enum, default_value = "auto")]
    progress: progress::ProgressMode,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Convert a data value set between XML, JSON, CSV and ADX (ADX needs --metadata or --store for
    /// the codes; gzip/zip read transparently, written by extension: .gz, .zip).
    Convert(convert::ConvertArgs),
    /// Import a data value set (XML, JSON, CSV, ADX, or a filled DHIS2 PDF form) into an existing
    /// store, exactly as DHIS2 would, and print DHIS2's import summary.
    Import(import::ImportArgs),
    /// Check a data value set against an existing store: the same import as a dry run (nothing
    /// is written, no store is created).
    Validate(import::ImportArgs),
    /// Export stored values as DHIS2 does (`GET /api/dataValueSets`; 2.36-2.42 by default, 2.43+
    /// with --dhis2-version): XML, JSON (default), CSV or ADX, optionally .gz/.zip. Exit 1 when DHIS2
    /// would refuse the request (E2001-E2012).
    Export(Box<export::ExportArgs>),
    /// Metadata import, export and diff, as DHIS2's Import/Export app (`metadata import` is the
    /// one command that creates a store).
    #[command(subcommand)]
    Metadata(metadata::MetadataCommand),
    /// Org unit geometry: import from GeoJSON or GML into a store, export as GeoJSON.
    #[command(subcommand)]
    Geometry(geometry::GeometryCommand),
    /// Store commands.
    #[command(subcommand)]
    Store(store::StoreCommand),
    /// DHIS2 PDF data entry forms: make a data set's fillable form (`dxf2 import` reads it back
    /// once filled).
    #[command(subcommand)]
    Pdf(pdf::PdfCommand),
    /// Write a data set's data value set template, as DHIS2's `GET /api/dataSets/{uid}/
    /// dataValueSet`: every data element and option combo with an empty value, to fill in and
    /// import.
    Template(Box<template::TemplateArgs>),
    /// Single data values, as DHIS2 2.36-2.42's `/api/dataValues`: set, get, delete (files of
    /// FILE_RESOURCE and IMAGE values included).
    #[command(subcommand)]
    Value(value::ValueCommand),
    /// Print a shell completion script (e.g. `dxf2 completions bash > ~/.local/share/bash-completion/completions/dxf2`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory.
    Man {
        /// Write `dxf2.1` and `dxf2-<command>.1` pages into this directory instead.
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
    },
    /// Tracker data (tracked entities, enrollments, events, relationships): import into a
    /// store and export, as DHIS2's `/api/tracker` does.
    #[command(subcommand)]
    Tracker(tracker::TrackerCommand),
    /// Offline sync bundles, facility to district: export what a store changed since the last
    /// bundle for a destination, import a bundle (checked, in order, conflicts decided), status.
    #[command(subcommand)]
    Sync(sync::SyncCommand),
    /// The store's import journal: every import (data, metadata, geometry, tracker; dry runs
    /// too), its summary, and running it again.
    #[command(subcommand)]
    Jobs(jobs::JobsCommand),
}

/// A failure that ends the command: a message and an exit status.
#[derive(Debug)]
pub struct Exit {
    /// The status.
    pub code: u8,
    /// What to tell the user on stderr (nothing when empty).
    pub message: String,
}

impl Exit {
    /// Unusable input or arguments (status 2).
    pub fn usage(message: impl Into<String>) -> Exit {
        Exit {
            code: 2,
            message: message.into(),
        }
    }

    /// An end with nothing to say (a closed pipe) and status `code`.
    pub fn quiet(code: u8) -> Exit {
        Exit {
            code,
            message: String::new(),
        }
    }
}

/// Prints an input's warnings collected so far on stderr (each once).
pub fn print_warnings(warnings: &dxf2_io::Warnings) {
    for warning in warnings.take() {
        ui::warning(&warning.to_string());
    }
}

/// `dxf2 completions SHELL`.
fn completions(shell: clap_complete::Shell) -> Result<u8, Exit> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "dxf2", &mut out);
    write_stdout(&out)
}

/// `dxf2 man [-o DIR]`.
fn man(output: Option<&PathBuf>) -> Result<u8, Exit> {
    let command = Cli::command();
    match output {
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut out)
                .map_err(|e| Exit::usage(format!("rendering the man page: {e}")))?;
            write_stdout(&out)
        }
        Some(dir) => {
            let err = |e: std::io::Error| Exit::usage(format!("{}: {e}", dir.display()));
            clap_mangen::generate_to(command, dir).map_err(err)?;
            Ok(0)
        }
    }
}

/// Writes `bytes` on stdout (a closed pipe ends quietly, status 0).
pub fn write_stdout(bytes: &[u8]) -> Result<u8, Exit> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(Exit::usage(format!("writing to stdout: {e}"))),
    }
}

/// Runs the command `words` (after `dxf2`) in this process: how `dxf2 jobs recreate` runs a
/// job's import again.
pub fn run_words(words: Vec<String>) -> Result<u8, Exit> {
    let cli = Cli::try_parse_from(std::iter::once("dxf2".to_owned()).chain(words.iter().cloned()))
        .map_err(|e| Exit::usage(format!("the job's command is not understood: {e}")))?;
    if matches!(cli.command, Command::Jobs(_)) {
        return Err(Exit::usage("a job's command cannot be a `jobs` command"));
    }
    journal::set_words(words);
    dispatch(&cli.command)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    progress::set_mode(cli.progress);
    journal::set_words(
        std::env::args_os()
            .skip(1)
            .map(|w| w.to_string_lossy().into_owned())
            .collect(),
    );
    let result = dispatch(&cli.command);
    match result {
        Ok(code) => ExitCode::from(code),
        Err(exit) => {
            if !exit.message.is_empty() {
                ui::error(&exit.message);
            }
            ExitCode::from(exit.code)
        }
    }
}

fn dispatch(command: &Command) -> Result<u8, Exit> {
    match command {
        Command::Convert(args) => convert::run(args),
        Command::Import(args) => import::run(args, false),
        Command::Validate(args) => import::run(args, true),
        Command::Export(args) => export::run(args),
        Command::Metadata(metadata::MetadataCommand::Import(args)) => metadata::run_import(args),
        Command::Metadata(metadata::MetadataCommand::Export(args)) => metadata::run_export(args),
        Command::Metadata(metadata::MetadataCommand::Diff(args)) => metadata::run_diff(args),
        Command::Tracker(tracker::TrackerCommand::Import(args)) => tracker::run_import(args),
        Command::Tracker(tracker::TrackerCommand::Export(args)) => tracker::run_export(args),
        Command::Geometry(geometry::GeometryCommand::Import(args)) => geometry::run_import(args),
        Command::Geometry(geometry::GeometryCommand::Export(args)) => geometry::run_export(args),
        Command::Store(store::StoreCommand::Info(args)) => store::run_info(args),
        Command::Pdf(pdf::PdfCommand::Form(args)) => pdf::run_form(args),
        Command::Template(args) => template::run(args),
        Command::Value(value::ValueCommand::Set(args)) => value::run_set(args),
        Command::Value(value::ValueCommand::Get(args)) => value::run_get(args),
        Command::Value(value::ValueCommand::Delete(args)) => value::run_delete(args),
        Command::Completions { shell } => completions(*shell),
        Command::Man { output } => man(output.as_ref()),
        Command::Sync(sync::SyncCommand::Export(args)) => sync::run_export(args),
        Command::Sync(sync::SyncCommand::Import(args)) => sync::run_import(args),
        Command::Sync(sync::SyncCommand::Status(args)) => sync::run_status(args),
        Command::Jobs(jobs::JobsCommand::List(args)) => jobs::run_list(args),
        Command::Jobs(jobs::JobsCommand::Show(args)) => jobs::run_show(args),
        Command::Jobs(jobs::JobsCommand::Recreate(args)) => jobs::run_recreate(args),
    }
}
