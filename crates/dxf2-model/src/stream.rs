//! The streaming seam between readers and writers (and the import engine).
//!
//! A reader is a [`DataValueSource`]: it knows the set header once it is open and fills a caller's
//! reusable [`DataValue`] one value at a time. A writer is a [`DataValueSink`]. Converting a format
//! is "read from a source, write to a sink" with no model in between; the import engine consumes
//! any source.
//!
//! A program that picks its reader or writer at run time uses trait objects with boxed errors:
//! [`DataValueSource::boxed`] and [`DataValueSink::boxed`] turn any source or sink into a
//! `Box<dyn DataValueSource<Error = BoxError>>` (or sink), and such a box is itself a source (or
//! sink) for every function that takes one.

use std::error::Error as StdError;
use std::fmt;
use std::iter::FusedIterator;

use crate::{DataValue, DataValueSetHeader, TextPosition};

/// A boxed error of any source or sink: what [`DataValueSource::boxed`] and
/// [`DataValueSink::boxed`] report.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What a source's or sink's error must be: printable, sendable, and convertible into a
/// [`BoxError`] (so that a caller can keep it as the `source` of its own error).
///
/// Every `std::error::Error + Send + Sync + 'static` type is one, and so is [`BoxError`] itself
/// (which does not implement `std::error::Error`); the trait is implemented for every type that
/// meets the bounds, never by hand.
pub trait StreamError: Into<BoxError> + fmt::Display + fmt::Debug + Send + Sync + 'static {}

impl<E> StreamError for E where E: Into<BoxError> + fmt::Display + fmt::Debug + Send + Sync + 'static
{}

/// Something that yields the values of one data value set, in document order.
pub trait DataValueSource {
    /// The reader's error type: any `std::error::Error + Send + Sync + 'static`, or a
    /// [`BoxError`].
    type Error: StreamError;

    /// The set header as read so far (complete once the source is open, for formats whose header
    /// precedes the values; CSV has an empty header).
    fn header(&self) -> &DataValueSetHeader;

    /// Reads the next value into `record` (cleared first). Returns `Ok(false)` at the end.
    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, Self::Error>;

    /// Where the value last returned by [`read_value`](DataValueSource::read_value) starts in
    /// the source text: its line, and its column in characters (both 1-based). `None` before the
    /// first value, and for sources that do not read text (the default).
    ///
    /// The XML reader gives the `<` of the `dataValue` start tag, the JSON reader the `{` of the
    /// value's object, the CSV reader the start of the value's record (column 1). It costs the
    /// readers nothing per value: they track lines for their errors anyway.
    fn value_position(&self) -> Option<TextPosition> {
        None
    }

    /// An iterator of owned values (one allocation per value;
    /// [`read_value`](DataValueSource::read_value) avoids it). It ends after the first error.
    fn values(&mut self) -> Values<'_, Self>
    where
        Self: Sized,
    {
        Values::new(self)
    }

    /// This source as a trait object with a boxed error, for programs that choose their reader
    /// at run time.
    ///
    /// ```
    /// use dxf2_model::{BoxError, DataValue, DataValueSetHeader, DataValueSource, Field};
    ///
    /// /// A source of `n` values, with its own error type.
    /// struct Counter {
    ///     header: DataValueSetHeader,
    ///     left: u32,
    /// }
    ///
    /// impl DataValueSource for Counter {
    ///     type Error = std::io::Error;
    ///     fn header(&self) -> &DataValueSetHeader {
    ///         &self.header
    ///     }
    ///     fn read_value(&mut self, record: &mut DataValue) -> Result<bool, std::io::Error> {
    ///         record.clear();
    ///         if self.left == 0 {
    ///             return Ok(false);
    ///         }
    ///         self.left -= 1;
    ///         record.set(Field::Value, &self.left.to_string());
    ///         Ok(true)
    ///     }
    /// }
    ///
    /// let counter = Counter { header: DataValueSetHeader::default(), left: 2 };
    /// let mut source: Box<dyn DataValueSource<Error = BoxError>> = counter.boxed();
    /// let values = source.values().collect::<Result<Vec<_>, BoxError>>()?;
    /// assert_eq!(values.len(), 2);
    /// assert_eq!(values[0].value(), Some("1"));
    /// # Ok::<(), BoxError>(())
    /// ```
    fn boxed<'a>(self) -> Box<dyn DataValueSource<Error = BoxError> + 'a>
    where
        Self: Sized + 'a,
    {
        Box::new(BoxedSource::new(self))
    }
}

/// Something that writes one data value set.
pub trait DataValueSink {
    /// The writer's error type: any `std::error::Error + Send + Sync + 'static`, or a
    /// [`BoxError`].
    type Error: StreamError;

    /// Writes the start of the document with its header. Called once, before any value.
    fn begin(&mut self, header: &DataValueSetHeader) -> Result<(), Self::Error>;

    /// Writes one value.
    fn write_value(&mut self, value: &DataValue) -> Result<(), Self::Error>;

    /// Writes the end of the document and flushes.
    fn finish(&mut self) -> Result<(), Self::Error>;

    /// This sink as a trait object with a boxed error, for programs that choose their writer at
    /// run time.
    ///
    /// ```
    /// use dxf2_model::{BoxError, DataValue, DataValueSetHeader, DataValueSink, Field};
    ///
    /// /// A sink that keeps the values' texts.
    /// #[derive(Default)]
    /// struct Texts(Vec<String>);
    ///
    /// impl DataValueSink for Texts {
    ///     type Error = std::fmt::Error;
    ///     fn begin(&mut self, _: &DataValueSetHeader) -> Result<(), std::fmt::Error> {
    ///         Ok(())
    ///     }
    ///     fn write_value(&mut self, value: &DataValue) -> Result<(), std::fmt::Error> {
    ///         self.0.push(value.value().ok_or(std::fmt::Error)?.to_owned());
    ///         Ok(())
    ///     }
    ///     fn finish(&mut self) -> Result<(), std::fmt::Error> {
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let mut texts = Texts::default();
    /// let mut sink: Box<dyn DataValueSink<Error = BoxError> + '_> = (&mut texts).boxed();
    /// let mut value = DataValue::new();
    /// value.set(Field::Value, "7");
    /// sink.begin(&DataValueSetHeader::default())?;
    /// sink.write_value(&value)?;
    /// let err = sink.write_value(&DataValue::new()).unwrap_err();
    /// assert_eq!(err.to_string(), "an error occurred when formatting an argument");
    /// sink.finish()?;
    /// drop(sink);
    /// assert_eq!(texts.0, ["7"]);
    /// # Ok::<(), BoxError>(())
    /// ```
    fn boxed<'a>(self) -> Box<dyn DataValueSink<Error = BoxError> + 'a>
    where
        Self: Sized + 'a,
    {
        Box::new(BoxedSink::new(self))
    }
}

impl<S: DataValueSource + ?Sized> DataValueSource for &mut S {
    type Error = S::Error;
    fn header(&self) -> &DataValueSetHeader {
        (**self).header()
    }
    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, Self::Error> {
        (**self).read_value(record)
    }
    fn value_position(&self) -> Option<TextPosition> {
        (**self).value_position()
    }
}

impl<S: DataValueSource + ?Sized> DataValueSource for Box<S> {
    type Error = S::Error;
    fn header(&self) -> &DataValueSetHeader {
        (**self).header()
    }
    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, Self::Error> {
        (**self).read_value(record)
    }
    fn value_position(&self) -> Option<TextPosition> {
        (**self).value_position()
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

impl<S: DataValueSink + ?Sized> DataValueSink for Box<S> {
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

/// A source whose errors are boxed into a [`BoxError`]; see [`DataValueSource::boxed`].
#[derive(Debug)]
pub struct BoxedSource<S> {
    inner: S,
}

impl<S: DataValueSource> BoxedSource<S> {
    /// Wraps a source.
    pub fn new(inner: S) -> BoxedSource<S> {
        BoxedSource { inner }
    }

    /// The wrapped source.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped source, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: DataValueSource> DataValueSource for BoxedSource<S> {
    type Error = BoxError;
    fn header(&self) -> &DataValueSetHeader {
        self.inner.header()
    }
    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, BoxError> {
        self.inner.read_value(record).map_err(Into::into)
    }
    fn value_position(&self) -> Option<TextPosition> {
        self.inner.value_position()
    }
}

/// A sink whose errors are boxed into a [`BoxError`]; see [`DataValueSink::boxed`].
#[derive(Debug)]
pub struct BoxedSink<S> {
    inner: S,
}

impl<S: DataValueSink> BoxedSink<S> {
    /// Wraps a sink.
    pub fn new(inner: S) -> BoxedSink<S> {
        BoxedSink { inner }
    }

    /// The wrapped sink.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped sink, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: DataValueSink> DataValueSink for BoxedSink<S> {
    type Error = BoxError;
    fn begin(&mut self, header: &DataValueSetHeader) -> Result<(), BoxError> {
        self.inner.begin(header).map_err(Into::into)
    }
    fn write_value(&mut self, value: &DataValue) -> Result<(), BoxError> {
        self.inner.write_value(value).map_err(Into::into)
    }
    fn finish(&mut self) -> Result<(), BoxError> {
        self.inner.finish().map_err(Into::into)
    }
}

/// An iterator of owned values over any [`DataValueSource`]: each value in a new record (one
/// allocation per value; [`DataValueSource::read_value`] avoids it). It ends after the first
/// error. Every reader's `values()` returns one.
///
/// ```
/// use dxf2_model::{DataValue, DataValueSetHeader, DataValueSource, Values};
///
/// struct Empty(DataValueSetHeader);
/// impl DataValueSource for Empty {
///     type Error = std::io::Error;
///     fn header(&self) -> &DataValueSetHeader {
///         &self.0
///     }
///     fn read_value(&mut self, _: &mut DataValue) -> Result<bool, std::io::Error> {
///         Ok(false)
///     }
/// }
///
/// let mut source = Empty(DataValueSetHeader::default());
/// assert_eq!(Values::new(&mut source).count(), 0);
/// ```
#[derive(Debug)]
pub struct Values<'r, S: ?Sized> {
    source: &'r mut S,
    done: bool,
}

impl<'r, S: DataValueSource + ?Sized> Values<'r, S> {
    /// The values of `source`, from the next one on.
    pub fn new(source: &'r mut S) -> Values<'r, S> {
        Values {
            source,
            done: false,
        }
    }

    /// The source read.
    pub fn source(&self) -> &S {
        self.source
    }
}

impl<S: DataValueSource + ?Sized> Iterator for Values<'_, S> {
    type Item = Result<DataValue, S::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut value = DataValue::new();
        match self.source.read_value(&mut value) {
            Ok(true) => Some(Ok(value)),
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl<S: DataValueSource + ?Sized> FusedIterator for Values<'_, S> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Field;

    /// Yields `values` then fails with `error` (when set), then ends.
    struct Scripted {
        header: DataValueSetHeader,
        values: Vec<&'static str>,
        error: Option<&'static str>,
        read: usize,
    }

    impl DataValueSource for Scripted {
        type Error = BoxError;
        fn header(&self) -> &DataValueSetHeader {
            &self.header
        }
        fn read_value(&mut self, record: &mut DataValue) -> Result<bool, BoxError> {
            record.clear();
            if let Some(v) = self.values.get(self.read) {
                self.read += 1;
                record.set(Field::Value, v);
                return Ok(true);
            }
            match self.error.take() {
                Some(e) => Err(e.into()),
                None => Ok(false),
            }
        }
        fn value_position(&self) -> Option<TextPosition> {
            (self.read > 0).then_some(TextPosition {
                line: self.read as u64 + 1,
                column: 1,
            })
        }
    }

    fn scripted(values: Vec<&'static str>, error: Option<&'static str>) -> Scripted {
        Scripted {
            header: DataValueSetHeader::default(),
            values,
            error,
            read: 0,
        }
    }

    #[test]
    fn values_end_after_the_first_error() {
        let mut source = scripted(vec!["1", "2"], Some("broken"));
        let mut values = source.values();
        assert_eq!(values.next().map(|r| r.is_ok()), Some(true));
        assert_eq!(values.next().map(|r| r.is_ok()), Some(true));
        let err = values.next().map(|r| r.map(|_| ()));
        assert_eq!(
            err.map(|r| r.map_err(|e| e.to_string())),
            Some(Err("broken".to_owned()))
        );
        assert!(values.next().is_none());
        assert!(values.next().is_none());
    }

    #[test]
    fn a_source_with_a_boxed_error_is_a_source() {
        fn count<S: DataValueSource>(mut s: S) -> usize {
            s.values().count()
        }
        assert_eq!(count(scripted(vec!["1"], None)), 1);
        let boxed: Box<dyn DataValueSource<Error = BoxError>> = scripted(vec!["1"], None).boxed();
        assert_eq!(count(boxed), 1);
    }

    #[test]
    fn boxing_keeps_positions_and_headers() {
        let mut source = scripted(vec!["a", "b"], None).boxed();
        assert_eq!(source.value_position(), None);
        let mut record = DataValue::new();
        assert!(source.read_value(&mut record).unwrap_or(false));
        assert_eq!(
            source.value_position(),
            Some(TextPosition { line: 2, column: 1 })
        );
        assert_eq!(source.header(), &DataValueSetHeader::default());
        let by_ref = &mut source;
        assert_eq!(
            by_ref.value_position(),
            Some(TextPosition { line: 2, column: 1 })
        );
    }

    #[test]
    fn boxed_sinks_keep_the_error_as_source() {
        #[derive(Debug, thiserror::Error)]
        #[error("disk full")]
        struct Full;
        struct Failing;
        impl DataValueSink for Failing {
            type Error = Full;
            fn begin(&mut self, _: &DataValueSetHeader) -> Result<(), Full> {
                Ok(())
            }
            fn write_value(&mut self, _: &DataValue) -> Result<(), Full> {
                Err(Full)
            }
            fn finish(&mut self) -> Result<(), Full> {
                Ok(())
            }
        }
        let mut sink = Failing.boxed();
        assert!(sink.begin(&DataValueSetHeader::default()).is_ok());
        let err = sink.write_value(&DataValue::new()).err();
        assert!(err.as_ref().is_some_and(|e| e.is::<Full>()));
        assert!(sink.finish().is_ok());
    }
}
