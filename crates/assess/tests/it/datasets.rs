//! The evaluation tasks as the tests and the `errors` example use them: the library's own
//! (`threatscape_assess::eval`: datasets, coded fields, projections, the held-out split), with
//! the shared data found, or its absence reported, by the testkit.

use threatscape_model::Report;

pub use threatscape_assess::eval::{classify_text, score, tasks, Split};

/// Reads a dataset's reports, or None (after the testkit's skip message) when it is absent.
pub fn load(dataset: &str) -> Option<Vec<Report>> {
    let (_, rel) = threatscape_assess::eval::all_datasets().find(|(d, _)| *d == dataset)?;
    let path = threatscape_testkit::shared_data(rel)?;
    let data_dir = path
        .ancestors()
        .nth(rel.split('/').count())
        .expect("a dataset lies under the data folder");
    Some(threatscape_assess::eval::load_dataset(data_dir, dataset).expect("the dataset reads"))
}
