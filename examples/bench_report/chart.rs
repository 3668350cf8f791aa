//! The report's chart: one panel per kernel, nanoseconds per element against the size
//! (both logarithmic), one line per contender, drawn with plotters' SVG backend. Only
//! draws; the numbers come from `data.rs`.

use crate::data::Sized;
use plotters::prelude::*;
use std::path::Path;

const COLORS: [RGBColor; 8] = [
    RGBColor(0, 0, 0),
    RGBColor(120, 120, 120),
    RGBColor(214, 39, 40),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Draws the kernels in `kernels` (in that order) into `out`; `contenders` fixes the colour
/// of each contender across panels.
pub fn draw(out: &Path, data: &Sized, kernels: &[String], contenders: &[String]) -> Result<(), String> {
    let cols = 3usize;
    let rows = kernels.len().div_ceil(cols).max(1);
    let root = SVGBackend::new(out, (1200, 360 * rows as u32)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", out.display());
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let panels = root.split_evenly((rows, cols));
    for (kernel, panel) in kernels.iter().zip(panels.iter()) {
        let Some(sizes) = data.get(kernel) else { continue };
        let points = |c: &str| -> Vec<(f64, f64)> {
            sizes.iter().filter_map(|(&n, m)| m.get(c).map(|&ns| (n as f64, ns / n as f64))).collect()
        };
        let all: Vec<(f64, f64)> = contenders.iter().flat_map(|c| points(c)).collect();
        if all.is_empty() {
            continue;
        }
        let (x0, x1) = all.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let (y0, y1) = all.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
        let mut chart = ChartBuilder::on(panel)
            .caption(format!("{kernel}: ns per element"), ("sans-serif", 18))
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d((x0 * 0.8..x1 * 1.25).log_scale(), (y0 * 0.7..y1 * 1.4).log_scale())
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("elements")
            .x_label_formatter(&|x| short(*x))
            .y_label_formatter(&|y| format!("{y:.2}"))
            .draw()
            .map_err(|e| err(&e))?;
        for (i, c) in contenders.iter().enumerate() {
            let pts = points(c);
            if pts.is_empty() {
                continue;
            }
            let color = COLORS[i % COLORS.len()];
            chart
                .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
                .map_err(|e| err(&e))?
                .label(c.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2)));
            chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled()))).map_err(|e| err(&e))?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 12))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// 256, 4K, 64K, 1M, 4M.
pub fn short(x: f64) -> String {
    let n = x.round() as u64;
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{}M", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{}K", n >> 10)
    } else {
        n.to_string()
    }
}
