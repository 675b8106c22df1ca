//! dxf2-csv (being written).
