//! A streaming writer of STIX 2.1 bundles: objects go out one by one, memory stays flat.

use std::io::{self, Write};

/// Writes `{"type":"bundle","id":...,"objects":[...]}` around canonical objects as they come.
#[derive(Debug)]
pub struct BundleWriter<W: Write> {
    out: W,
    count: u64,
}

impl<W: Write> BundleWriter<W> {
    /// Starts a bundle with a fresh random id (bundles are not versioned; a new one each time).
    pub fn new(out: W) -> io::Result<Self> {
        Self::with_id(out, &format!("bundle--{}", uuid::Uuid::new_v4()))
    }

    /// Starts a bundle with the given id.
    pub fn with_id(mut out: W, id: &str) -> io::Result<Self> {
        write!(
            out,
            "{{\"type\":\"bundle\",\"id\":{},\"objects\":[",
            serde_json::Value::from(id)
        )?;
        Ok(BundleWriter { out, count: 0 })
    }

    /// Adds one object, already serialised as JSON (canonical form from the store).
    pub fn push_json(&mut self, json: &str) -> io::Result<()> {
        if self.count > 0 {
            self.out.write_all(b",\n")?;
        } else {
            self.out.write_all(b"\n")?;
        }
        self.out.write_all(json.as_bytes())?;
        self.count += 1;
        Ok(())
    }

    /// How many objects were written.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Closes the bundle and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_bundle_the_reader_reads_back() {
        let mut w =
            BundleWriter::with_id(Vec::new(), "bundle--00000000-0000-4000-8000-000000000000")
                .unwrap();
        w.push_json(r#"{"id":"x--1","type":"x"}"#).unwrap();
        w.push_json(r#"{"id":"x--2","type":"x"}"#).unwrap();
        let bytes = w.finish().unwrap();
        let bundle: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(bundle["type"], "bundle");
        assert_eq!(bundle["objects"].as_array().unwrap().len(), 2);
        let objs: Vec<_> = crate::reader::Reader::new(&bytes[..])
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(objs.len(), 2);
        assert_eq!(objs[1].pointer, "/objects/1");
    }
}
