//! dxf2-json (being written).
