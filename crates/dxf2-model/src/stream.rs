//! The streaming seam between readers and writers (and the import engine).
//!
//! A reader is a [`DataValueSource`]: it knows the set header once it is open and fills a caller's
//! reusable [`DataValue`] one value at a time. A writer is a [`DataValueSink`]. Converting a format
//! is "read from a source, write to a sink" with no model in between; the import engine consumes
//! any source.

use crate::{DataValue, DataValueSetHeader};

/// Something that yields the values of one data value set, in document order.
pub trait DataValueSource {
    /// The reader's error type.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The set header as read so far (complete once the source is open, for formats whose header
    /// precedes the values; CSV has an empty header).
    fn header(&self) -> &DataValueSetHeader;

    /// Reads the next value into `record` (cleared first). Returns `Ok(false)` at the end.
    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, Self::Error>;
}

/// Something that writes one data value set.
pub trait DataValueSink {
    /// The writer's error type.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Writes the start of the document with its header. Called once, before any value.
    fn begin(&mut self, header: &DataValueSetHeader) -> Result<(), Self::Error>;

    /// Writes one value.
    fn write_value(&mut self, value: &DataValue) -> Result<(), Self::Error>;

    /// Writes the end of the document and flushes.
    fn finish(&mut self) -> Result<(), Self::Error>;
}

impl<S: DataValueSource + ?Sized> DataValueSource for &mut S {
    type Error = S::Error;
    fn header(&self) -> &DataValueSetHeader {
        (**self).header()
    }
    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, Self::Error> {
        (**self).read_value(record)
    }
}

impl<S: DataValueSink + ?Sized> DataValueSink for &mut S {
    type Error = S::Error;
    fn begin(&mut self, header: &DataValueSetHeader) -> Result<(), Self::Error> {
        (**self).begin(header)
    }
    fn write_value(&mut self, value: &DataValue) -> Result<(), Self::Error> {
        (**self).write_value(value)
    }
    fn finish(&mut self) -> Result<(), Self::Error> {
        (**self).finish()
    }
}
