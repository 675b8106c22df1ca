//! dxf2-xml (being written).
