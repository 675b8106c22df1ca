//! `dxf2`: read, check, convert, import and export DHIS2 DXF2 data value sets offline.
//!
//! Exit status: 0 success (or an import with status SUCCESS/WARNING), 1 an import with status
//! ERROR, 2 unusable input or arguments.

#![forbid(unsafe_code)]

mod args;
mod convert;
mod export;
mod import;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Read, check, convert, import and export DHIS2 DXF2 data value sets, without a DHIS2 server.
#[derive(Parser, Debug)]
#[command(name = "dxf2", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Convert a data value set between XML, JSON and CSV (gzip/zip read transparently, written by
    /// extension: .gz, .zip).
    Convert(convert::ConvertArgs),
    /// Import a data value set into a store, exactly as DHIS2 would, and print DHIS2's import summary.
    Import(import::ImportArgs),
    /// Check a data value set: the same import as a dry run (nothing is written).
    Validate(import::ImportArgs),
    /// Export stored values as DHIS2 does (2.36-2.42 by default, 2.43+ with --dhis2-version) (`GET /api/dataValueSets`): XML, JSON (default)
    /// or CSV, optionally .gz/.zip. Exit 1 when DHIS2 would refuse the request (E2001-E2012).
    Export(Box<export::ExportArgs>),
    /// Metadata commands.
    #[command(subcommand)]
    Metadata(MetadataCommand),
}

#[derive(Subcommand, Debug)]
enum MetadataCommand {
    /// Import DXF2 metadata JSON into a store.
    Import(import::MetadataImportArgs),
}

/// A failure that ends the command: a message and an exit status.
#[derive(Debug)]
pub struct Exit {
    /// The status.
    pub code: u8,
    /// What to tell the user on stderr.
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
}

/// Prints an input's warnings collected so far on stderr (each once).
pub fn print_warnings(warnings: &dxf2_io::Warnings) {
    for warning in warnings.take() {
        eprintln!("dxf2: warning: {warning}");
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Convert(args) => convert::run(&args),
        Command::Import(args) => import::run(&args, false),
        Command::Validate(args) => import::run(&args, true),
        Command::Export(args) => export::run(&args),
        Command::Metadata(MetadataCommand::Import(args)) => import::run_metadata_import(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(exit) => {
            eprintln!("dxf2: {}", exit.message);
            ExitCode::from(exit.code)
        }
    }
}
