//! STIX 2.1 patterning language: parser and validator (work in progress).
