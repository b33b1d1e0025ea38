//! Reading the crate's CSV data files: a header row, then rows addressed by column name, each
//! with its line number for error messages.

use crate::error::AssessError;

/// One data row and the line it starts on.
pub(crate) struct Row {
    pub line: u64,
    pub cells: Vec<String>,
}

/// A parsed CSV data file.
pub(crate) struct Table {
    headers: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// Parses `text`, checking that every `required` column is present. Blank lines and lines
    /// starting with `#` are skipped.
    pub fn parse(file: &str, text: &str, required: &[&str]) -> Result<Table, AssessError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| AssessError::data(file, "line 1", format!("bad header: {e}")))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        for r in required {
            if !headers.iter().any(|h| h == r) {
                return Err(AssessError::data(
                    file,
                    "line 1",
                    format!(
                        "the header has no `{r}` column (it has: {})",
                        headers.join(", ")
                    ),
                ));
            }
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                AssessError::data(file, format!("line {line}"), e.to_string())
            })?;
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            rows.push(Row {
                line,
                cells: record.iter().map(|c| c.trim().to_string()).collect(),
            });
        }
        Ok(Table { headers, rows })
    }

    /// A row's cell in the named column.
    pub fn get<'a>(&self, row: &'a Row, column: &str) -> Option<&'a str> {
        let i = self.headers.iter().position(|h| h == column)?;
        row.cells.get(i).map(String::as_str)
    }
}
