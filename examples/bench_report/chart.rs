//! The report's chart: one panel per kernel, nanoseconds per element against the size
//! (both logarithmic), one line per contender, drawn with plotters' SVG backend. Only
//! draws; the numbers come from `data.rs`.

use crate::data::Sized;
use plotters::prelude::*;
use std::path::Path;

/// Distinct colours, one per contender (the report has up to 14: native, C, the
/// interpreter, tier 1 at three pass levels, tier 2 three ways, AOT, typed calls).
const COLORS: [RGBColor; 14] = [
    RGBColor(0, 0, 0),
    RGBColor(120, 120, 120),
    RGBColor(214, 39, 40),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
    RGBColor(188, 189, 34),
    RGBColor(0, 0, 128),
    RGBColor(128, 0, 0),
    RGBColor(0, 128, 128),
];

/// Width of the chart, and the legend's row height.
const WIDTH: i32 = 1200;
const LEGEND_ROW: i32 = 22;

/// Where each legend entry goes: entries flow left to right and wrap to a new row when
/// the next one would cross the right edge. Returns the positions and the number of rows.
fn legend_layout(names: &[String]) -> (Vec<(i32, i32)>, i32) {
    let (mut x, mut row) = (20i32, 0i32);
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let width = 54 + 7 * name.chars().count() as i32;
        if x + width > WIDTH - 10 && x > 20 {
            x = 20;
            row += 1;
        }
        out.push((x, row));
        x += width;
    }
    (out, row + 1)
}

/// Draws the kernels in `kernels` (in that order) into `out`; `contenders` fixes the colour
/// of each contender across panels.
pub fn draw(out: &Path, data: &Sized, kernels: &[String], contenders: &[String]) -> Result<(), String> {
    let cols = 3usize;
    let rows = kernels.len().div_ceil(cols).max(1);
    let names: Vec<String> = contenders.iter().map(|c| crate::markdown::label(c)).collect();
    let (places, legend_rows) = legend_layout(&names);
    let strip_height = 12 + LEGEND_ROW * legend_rows;
    let height = strip_height as u32 + 330 * rows as u32;
    let root = SVGBackend::new(out, (WIDTH as u32, height)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", out.display());
    root.fill(&WHITE).map_err(|e| err(&e))?;
    // One legend for all panels, in a strip along the top (wrapped onto as many rows as needed).
    let (strip, grid) = root.split_vertically(strip_height);
    for (i, (name, &(x, row))) in names.iter().zip(places.iter()).enumerate() {
        let color = COLORS[i % COLORS.len()];
        let y = 14 + LEGEND_ROW * row;
        strip.draw(&PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))).map_err(|e| err(&e))?;
        strip.draw(&Text::new(name.clone(), (x + 30, y - 7), ("sans-serif", 14))).map_err(|e| err(&e))?;
    }
    let panels = grid.split_evenly((rows, cols));
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
            .light_line_style(WHITE)
            .bold_line_style(BLACK.mix(0.12))
            .x_desc("elements")
            .x_label_formatter(&|x| si(*x))
            .y_labels(6)
            .y_label_formatter(&|y| format!("{y}"))
            .draw()
            .map_err(|e| err(&e))?;
        for (i, c) in contenders.iter().enumerate() {
            let pts = points(c);
            if pts.is_empty() {
                continue;
            }
            let color = COLORS[i % COLORS.len()];
            chart.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2))).map_err(|e| err(&e))?;
            chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled()))).map_err(|e| err(&e))?;
        }
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// 1k, 10k, 1M: axis labels at powers of ten.
fn si(x: f64) -> String {
    if x >= 1e6 {
        format!("{}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{}k", x / 1e3)
    } else {
        format!("{x}")
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legend_wraps_before_the_right_edge() {
        let names: Vec<String> = (0..14).map(|i| format!("contender number {i}")).collect();
        let (places, rows) = legend_layout(&names);
        assert!(rows > 1, "14 long names cannot fit on one row");
        for (name, &(x, _)) in names.iter().zip(&places) {
            assert!(x + 54 + 7 * name.len() as i32 <= WIDTH - 10, "{name} at x = {x} crosses the edge");
        }
        let (_, one) = legend_layout(&names[..2]);
        assert_eq!(one, 1);
    }
}
