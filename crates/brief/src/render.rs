//! Renderers: Markdown, a self-contained HTML page (print CSS, tables, hand-written SVG bar
//! charts, no script), and JSON (the model as it is).

use std::fmt::Write;

use crate::model::{Briefing, Figure};
use crate::trends::count;

/// The briefing as pretty JSON: the model, every figure with its incident ids and report keys.
pub fn json(b: &Briefing) -> String {
    serde_json::to_string_pretty(b).expect("the briefing model always serialises")
}

fn marking(b: &Briefing) -> String {
    format!(
        "{} (audience: {}; material up to {} allowed; {} withheld)",
        b.highest_tlp_used,
        b.audience,
        b.max_tlp,
        count(b.withheld_reports, "report")
    )
}

/// The briefing as Markdown.
pub fn markdown(b: &Briefing) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "**{}**\n\n# {}\n", b.highest_tlp_used, b.title);
    let _ = writeln!(
        s,
        "Period {} compared with {} ({}). Marking: {}.\n",
        b.period,
        b.baseline_periods
            .iter()
            .map(|p| p.label.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        b.baseline_description,
        marking(b)
    );
    let _ = writeln!(s, "## Executive summary\n");
    for f in &b.executive_summary {
        md_figure(&mut s, f);
    }
    for sec in &b.sections {
        let _ = writeln!(s, "\n## {}\n", sec.title);
        if let Some(n) = &sec.note {
            let _ = writeln!(s, "_{n}_\n");
        }
        for f in &sec.figures {
            md_figure(&mut s, f);
        }
        if !sec.chart.is_empty() {
            let _ = writeln!(s, "\n| | {} | baseline |\n|---|---:|---:|", b.period);
            for bar in &sec.chart {
                let _ = writeln!(s, "| {} | {} | {} |", bar.label, bar.current, bar.baseline);
            }
        }
    }
    let _ = writeln!(s, "\n## Sources and method\n");
    for f in &b.method.contributors_by_type {
        md_figure(&mut s, f);
    }
    let _ = writeln!(
        s,
        "\n| source | type | reports in period | in baseline | data from | to |\n|---|---|---:|---:|---|---|"
    );
    for c in &b.method.coverage {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            c.source,
            c.contributor_type,
            c.current_reports,
            c.baseline_reports,
            c.first.as_deref().unwrap_or(""),
            c.last.as_deref().unwrap_or("")
        );
    }
    let _ = writeln!(s, "\nTLP of the reports used: {}\n", tlp_line(b));
    let _ = writeln!(s, "### Method\n");
    for m in &b.method.statistics {
        let _ = writeln!(s, "- {m}");
    }
    let _ = writeln!(s, "\n### Caveats\n");
    for c in &b.method.caveats {
        let _ = writeln!(s, "- {c}");
    }
    let _ = writeln!(s, "\n## Annex: incidents cited ({})\n", b.annex.len());
    let _ = writeln!(
        s,
        "| id | date | title | sources | TLP |\n|---|---|---|---|---|"
    );
    for a in &b.annex {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} |",
            a.id,
            a.date.as_deref().unwrap_or(""),
            a.title.replace('|', "/"),
            a.sources.join(", "),
            a.tlp.as_str()
        );
    }
    s
}

fn tlp_line(b: &Briefing) -> String {
    b.method
        .tlp_used
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn md_figure(s: &mut String, f: &Figure) {
    let _ = writeln!(
        s,
        "- {} <sub>[{}: {}, {} in the baseline, {}]</sub>",
        f.text,
        f.id,
        count(f.incidents.len(), "incident"),
        f.baseline_incidents.len(),
        count(f.reports.len(), "report")
    );
}

/// Escapes text for HTML.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML anchor for an incident id.
pub fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

const CSS: &str = "body{font-family:Georgia,'Times New Roman',serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}
h1,h2,h3{font-family:Helvetica,Arial,sans-serif}h2{border-bottom:1px solid #999;margin-top:2rem}
.tlp{font-family:Helvetica,Arial,sans-serif;font-weight:bold;background:#000;color:#fff;display:inline-block;padding:.1rem .5rem}
.tlp-CLEAR{color:#fff}.tlp-GREEN{color:#33ff00}.tlp-AMBER{color:#ffc000}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #bbb;padding:.2rem .4rem;text-align:left;vertical-align:top}
td.n{text-align:right}.note{font-style:italic}.fig-ids{font-size:.8rem}details summary{cursor:pointer;color:#335}
svg text{font-family:Helvetica,Arial,sans-serif;font-size:11px}
@media print{body{margin:0;max-width:none}details{display:none}a{color:inherit;text-decoration:none}h2{page-break-after:avoid}table,svg{page-break-inside:avoid}}";

/// The briefing as one self-contained HTML page.
pub fn html(b: &Briefing) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>\n",
        esc(&b.title)
    );
    let t = b.highest_tlp_used.as_str();
    let _ = writeln!(
        s,
        "<p class=\"tlp tlp-{}\">{}</p><h1>{}</h1>",
        t.split('+').next().unwrap_or(t),
        esc(&b.highest_tlp_used.to_string()),
        esc(&b.title)
    );
    let _ = writeln!(
        s,
        "<p>Period <b>{}</b> compared with {} ({}). Marking: {}.</p>",
        esc(&b.period.label),
        esc(&b
            .baseline_periods
            .iter()
            .map(|p| p.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")),
        esc(&b.baseline_description),
        esc(&marking(b))
    );
    let _ = writeln!(s, "<h2>Executive summary</h2><ul>");
    for f in &b.executive_summary {
        html_figure(&mut s, f);
    }
    s.push_str("</ul>\n");
    if !b.monthly.is_empty() {
        s.push_str("<h3>Incidents per month</h3>");
        s.push_str(&crate::charts::time_series(&b.monthly, &b.period.label));
    }
    for sec in &b.sections {
        let _ = writeln!(s, "<h2 id=\"{}\">{}</h2>", esc(&sec.id), esc(&sec.title));
        if let Some(n) = &sec.note {
            let _ = writeln!(s, "<p class=\"note\">{}</p>", esc(n));
        }
        if !sec.figures.is_empty() {
            s.push_str("<ul>");
            for f in &sec.figures {
                html_figure(&mut s, f);
            }
            s.push_str("</ul>\n");
        }
        if sec.id == "affected-states" {
            let figures: std::collections::BTreeSet<&str> =
                sec.figures.iter().map(|f| f.id.as_str()).collect();
            let link = |code: &str| {
                let id = format!("states.{code}");
                figures
                    .contains(id.as_str())
                    .then(|| format!("#fig-{}", anchor(&id)))
            };
            s.push_str(&crate::charts::world_map(&b.states, &b.period.label, &link));
        }
        if !sec.chart.is_empty() {
            s.push_str(&bar_chart(&sec.chart, &b.period.label));
        }
    }
    s.push_str("<h2 id=\"method\">Sources and method</h2><ul>");
    for f in &b.method.contributors_by_type {
        html_figure(&mut s, f);
    }
    s.push_str("</ul><table><tr><th>source</th><th>type</th><th>reports in period</th><th>in baseline</th><th>data from</th><th>to</th></tr>\n");
    for c in &b.method.coverage {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.source),
            esc(&c.contributor_type),
            c.current_reports,
            c.baseline_reports,
            esc(c.first.as_deref().unwrap_or("")),
            esc(c.last.as_deref().unwrap_or(""))
        );
    }
    let _ = writeln!(
        s,
        "</table><p>TLP of the reports used: {}.</p><h3>Method</h3><ul>",
        esc(&tlp_line(b))
    );
    for m in &b.method.statistics {
        let _ = writeln!(s, "<li>{}</li>", esc(m));
    }
    s.push_str("</ul><h3>Caveats</h3><ul>");
    for c in &b.method.caveats {
        let _ = writeln!(s, "<li>{}</li>", esc(c));
    }
    let _ = writeln!(
        s,
        "</ul><h2 id=\"annex\">Annex: incidents cited ({})</h2><table><tr><th>id</th><th>date</th><th>title</th><th>labels</th><th>sources</th><th>TLP</th></tr>",
        b.annex.len()
    );
    for a in &b.annex {
        let refs: String = a
            .urls
            .iter()
            .enumerate()
            .map(|(n, u)| format!(" <a href=\"{}\">[{}]</a>", esc(u), n + 1))
            .collect();
        let _ = writeln!(
            s,
            "<tr id=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            anchor(&a.id),
            esc(&a.id),
            esc(a.date.as_deref().unwrap_or("")),
            esc(&a.title),
            refs,
            esc(&a.labels.join(", ")),
            esc(&a.sources.join(", ")),
            a.tlp.as_str()
        );
    }
    let _ = writeln!(
        s,
        "</table><p class=\"tlp tlp-{}\">{}</p></body></html>",
        t.split('+').next().unwrap_or(t),
        esc(&b.highest_tlp_used.to_string())
    );
    s
}

fn html_figure(s: &mut String, f: &Figure) {
    let _ = write!(s, "<li id=\"fig-{}\">{}", anchor(&f.id), esc(&f.text));
    if !f.incidents.is_empty() || !f.baseline_incidents.is_empty() {
        let _ = write!(
            s,
            " <details class=\"fig-ids\"><summary>{}, {} in the baseline</summary>",
            count(f.incidents.len(), "incident"),
            f.baseline_incidents.len()
        );
        for (label, ids) in [
            ("period", &f.incidents),
            ("baseline", &f.baseline_incidents),
        ] {
            if ids.is_empty() {
                continue;
            }
            let _ = write!(s, "<p>{label}: ");
            for id in ids {
                let _ = write!(s, "<a href=\"#{}\">{}</a> ", anchor(id), esc(id));
            }
            s.push_str("</p>");
        }
        s.push_str("</details>");
    }
    s.push_str("</li>\n");
}

pub use crate::charts::bar_chart;
