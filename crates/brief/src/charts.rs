//! Charts as SVG, written by hand: bars (current against baseline), the monthly time series and
//! the world map of affected States. The same SVG goes inline into the HTML page and, as a
//! vector image, into the PDF. Text uses `font-family` families the PDF embeds (Libertinus
//! Serif) with web fallbacks.

use std::fmt::Write;

use crate::model::{Bar, MonthBin, MonthPart, StateCount};
use crate::render::esc;

/// The chart font: the PDF's embedded serif first, then common fallbacks for browsers.
const FONT: &str = "font-family=\"Libertinus Serif, Georgia, serif\" font-size=\"11\"";
const CURRENT: &str = "#1f4e79";
const BASELINE: &str = "#a6a6a6";
const BETWEEN: &str = "#d9d9d9";

/// A horizontal bar chart of current against baseline counts.
pub fn bar_chart(bars: &[Bar], period: &str) -> String {
    let max = bars
        .iter()
        .map(|b| b.current.max(b.baseline))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (label_w, plot_w, row_h) = (200.0, 380.0, 26.0);
    let width = label_w + plot_w + 60.0;
    let height = row_h * bars.len() as f64 + 30.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" {FONT}><title>Incidents per label: {} against the baseline</title>",
        esc(period)
    );
    for (n, b) in bars.iter().enumerate() {
        let y = n as f64 * row_h + 4.0;
        let w1 = plot_w * b.current as f64 / max;
        let w0 = plot_w * b.baseline as f64 / max;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>{}<text x=\"{:.1}\" y=\"{}\">{}</text>{}<text x=\"{:.1}\" y=\"{}\">{}</text>",
            label_w - 6.0,
            y + 12.0,
            esc(&truncate(&b.label, 34)),
            bar(label_w, y, w1, 10.0, CURRENT),
            label_w + w1 + 4.0,
            y + 9.0,
            b.current,
            bar(label_w, y + 11.0, w0, 8.0, BASELINE),
            label_w + w0 + 4.0,
            y + 19.0,
            b.baseline
        );
    }
    let ly = height - 10.0;
    let _ = writeln!(
        s,
        "<rect x=\"{label_w}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{CURRENT}\"/><text x=\"{}\" y=\"{ly}\">{}</text><rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{BASELINE}\"/><text x=\"{}\" y=\"{ly}\">baseline</text></svg>",
        ly - 9.0,
        label_w + 14.0,
        esc(period),
        label_w + 110.0,
        ly - 9.0,
        label_w + 124.0
    );
    s
}

/// One horizontal bar; none for a count of zero, whose width would be 0 (which SVG renderers
/// such as the PDF's skip with a warning), the count beside it still saying 0.
fn bar(x: f64, y: f64, width: f64, height: f64, fill: &str) -> String {
    if width <= 0.0 {
        return String::new();
    }
    format!("<rect x=\"{x}\" y=\"{y}\" width=\"{width:.1}\" height=\"{height}\" fill=\"{fill}\"/>")
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut t: String = text.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Incidents per month as columns: the period dark, the baseline grey, months between light.
pub fn time_series(bins: &[MonthBin], period: &str) -> String {
    let (left, top, plot_w, plot_h) = (40.0, 10.0, 580.0, 160.0);
    let width = left + plot_w + 20.0;
    let height = top + plot_h + 60.0;
    let max = bins
        .iter()
        .map(|b| b.incidents.len())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let step = nice_step(max);
    let top_value = (max / step).ceil() * step;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" {FONT}><title>Incidents per month, {} and its baseline</title>",
        esc(period)
    );
    let mut v = 0.0;
    while v <= top_value + 1e-9 {
        let y = top + plot_h - plot_h * v / top_value;
        let _ = write!(
            s,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#e0e0e0\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            left + plot_w,
            left - 4.0,
            y + 4.0
        );
        v += step;
    }
    let n = bins.len().max(1) as f64;
    let slot = plot_w / n;
    let label_every = (bins.len() / 12).max(1);
    for (i, b) in bins.iter().enumerate() {
        let h = plot_h * b.incidents.len() as f64 / top_value;
        let x = left + i as f64 * slot + slot * 0.1;
        let fill = match b.part {
            MonthPart::Current => CURRENT,
            MonthPart::Baseline => BASELINE,
            MonthPart::Between => BETWEEN,
        };
        // A month without incidents has no bar (a height of 0 is skipped, with a warning, by
        // the PDF's SVG renderer); the axis still shows the month.
        if h > 0.0 {
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{fill}\"><title>{}: {} incidents</title></rect>",
                top + plot_h - h,
                slot * 0.8,
                b.month,
                b.incidents.len()
            );
        }
        if i % label_every == 0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"9\">{}</text>",
                x + slot * 0.4,
                top + plot_h + 13.0,
                b.month
            );
        }
    }
    let ly = height - 14.0;
    let _ = writeln!(
        s,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\"/><rect x=\"{left}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{CURRENT}\"/><text x=\"{}\" y=\"{ly}\">{}</text><rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{BASELINE}\"/><text x=\"{}\" y=\"{ly}\">baseline</text><text x=\"{}\" y=\"{ly}\" font-size=\"9\">(incidents dated to the month or day; by month, so a period that is not whole months spills over)</text></svg>",
        top + plot_h,
        left + plot_w,
        top + plot_h,
        ly - 9.0,
        left + 14.0,
        esc(period),
        left + 110.0,
        ly - 9.0,
        left + 124.0,
        left + 190.0,
    );
    s
}

fn nice_step(max: f64) -> f64 {
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let r = raw / mag;
    let nice = if r <= 1.0 {
        1.0
    } else if r <= 2.0 {
        2.0
    } else if r <= 5.0 {
        5.0
    } else {
        10.0
    };
    (nice * mag).max(1.0)
}

/// The world map with each State shaded by its incidents in the period (a sequential scale in
/// five classes). A shaded State links to the address `link` gives for its code, if any.
pub fn world_map(
    states: &[StateCount],
    period: &str,
    link: &dyn Fn(&str) -> Option<String>,
) -> String {
    let map = crate::map::world();
    let max = states.iter().map(|s| s.incidents.len()).max().unwrap_or(0);
    let classes = classes(max);
    const SHADES: [&str; 5] = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
    let legend_h = 40.0;
    let (w, h) = (map.width, map.height + legend_h);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" {FONT}><title>States with victims of incidents in {}</title><rect width=\"{w}\" height=\"{}\" fill=\"#f4f8fb\"/>",
        esc(period),
        map.height
    );
    for shape in &map.shapes {
        let count = shape
            .code
            .and_then(|c| states.iter().find(|s| s.code == c))
            .map_or(0, |s| s.incidents.len());
        let fill = if count == 0 {
            "#e6e6e6"
        } else {
            SHADES[classes
                .iter()
                .position(|&upper| count <= upper)
                .unwrap_or(4)]
        };
        let title = if count == 0 {
            esc(shape.name)
        } else {
            format!("{}: {count} incidents", esc(shape.name))
        };
        let path = format!(
            "<path d=\"{}\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"0.4\"><title>{title}</title></path>",
            shape.path
        );
        match shape.code.filter(|_| count > 0).and_then(link) {
            Some(href) => {
                let _ = write!(s, "<a href=\"{}\">{path}</a>", esc(&href));
            }
            None => s.push_str(&path),
        }
    }
    // Legend: one box per class.
    let ly = map.height + 14.0;
    let mut lower = 1;
    let mut x = 20.0;
    for (n, upper) in classes.iter().enumerate() {
        if *upper < lower {
            continue;
        }
        let label = if *upper == lower {
            format!("{lower}")
        } else {
            format!("{lower}-{upper}")
        };
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{ly}\" width=\"14\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{label}</text>",
            SHADES[n],
            x + 18.0,
            ly + 9.0
        );
        x += 90.0;
        lower = upper + 1;
    }
    let _ = writeln!(
        s,
        "<rect x=\"{x}\" y=\"{ly}\" width=\"14\" height=\"10\" fill=\"#e6e6e6\"/><text x=\"{}\" y=\"{}\">none recorded</text><text x=\"20\" y=\"{}\" font-size=\"9\">Incidents in {} by victim State. Boundaries: Natural Earth 1:110m (public domain) via world-atlas; they imply no view on any territory's status.</text></svg>",
        x + 18.0,
        ly + 9.0,
        ly + 25.0,
        esc(period)
    );
    s
}

/// Upper bounds of five classes from 1 to `max`: equal steps on a square-root scale, so one
/// heavily hit State does not wash out the rest.
fn classes(max: usize) -> [usize; 5] {
    let mut out = [0usize; 5];
    let m = max.max(1) as f64;
    for (i, o) in out.iter_mut().enumerate() {
        let f = (i + 1) as f64 / 5.0;
        *o = ((m.sqrt() * f).powi(2)).round().max(1.0) as usize;
    }
    out[4] = max.max(1);
    for i in 1..5 {
        out[i] = out[i].max(out[i - 1]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_one_to_max() {
        assert_eq!(classes(1), [1, 1, 1, 1, 1]);
        let c = classes(100);
        assert_eq!(c[4], 100);
        assert!(c.windows(2).all(|w| w[0] <= w[1]), "{c:?}");
        assert_eq!(c[0], 4);
    }

    #[test]
    fn the_map_shades_only_states_with_incidents() {
        let states = vec![StateCount {
            code: "UKR".into(),
            name: "Ukraine".into(),
            incidents: vec!["inc:a".into(), "inc:b".into()],
            baseline_incidents: vec![],
        }];
        let svg = world_map(&states, "2022-Q1", &|c| Some(format!("#fig-states-{c}")));
        assert!(
            svg.contains("<title>Ukraine: 2 incidents</title>"),
            "Ukraine is shaded"
        );
        assert!(svg.contains("href=\"#fig-states-UKR\""));
        assert_eq!(svg.matches("incidents</title>").count(), 1);
        assert!(svg.contains("Natural Earth"));
    }
}
