//! Charts: a small description of what to draw (`Chart`: titles, a plot of bands, lines,
//! reference levels, points or bars, a source line) and its rendering with plotters, as SVG text
//! (for the HTML report) or PNG bytes (for slides), at any size.
//!
//! A chart is data, so the report, the analysis commands (tornado and Sobol bars, the frontier's
//! scatter) and tests describe charts the same way and `svg`/`png` draw them all. Every chart
//! carries axis titles with units, a legend for its labelled layers, and a source line ("Source:
//! pactsim 0.1.0, deals/…, seed S, N paths") along its bottom edge.
//!
//! Text is measured (and, in PNGs, drawn) with DejaVu Sans, committed under `assets/fonts` with
//! its licence, so a chart looks the same on every machine, with no font installed. SVG text names
//! the `sans-serif` family; the report's style sheet asks browsers for DejaVu Sans first.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

/// The size a chart is drawn at when nothing else is asked: 16:9.
pub const BASE_SIZE: (u32, u32) = (960, 540);
/// A slide's size: 16:9 at 1600 pixels across.
pub const SLIDE_SIZE: (u32, u32) = (1600, 900);

const FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

/// A colour-blind-safe palette (Okabe and Ito), then black.
pub const PALETTE: [Colour; 8] = [
    Colour(0, 114, 178),
    Colour(230, 159, 0),
    Colour(0, 158, 115),
    Colour(204, 121, 167),
    Colour(213, 94, 0),
    Colour(86, 180, 233),
    Colour(140, 120, 20),
    Colour(0, 0, 0),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour(pub u8, pub u8, pub u8);

impl Colour {
    /// The palette's `index`-th colour, cycling.
    pub fn nth(index: usize) -> Colour {
        PALETTE[index % PALETTE.len()]
    }

    fn rgb(self) -> RGBColor {
        RGBColor(self.0, self.1, self.2)
    }
}

/// What a chart shows, with the words around it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    /// The horizontal axis's title, with its unit.
    pub x_title: String,
    /// The vertical axis's title, with its unit.
    pub y_title: String,
    /// "Source: pactsim 0.1.0, deals/…, seed S, N paths", drawn along the bottom edge.
    pub source: String,
    /// How values on the value axis are written.
    pub values: ValueFormat,
    pub legend: Corner,
    pub plot: Plot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    /// Plain numbers, as many decimals as the axis's step needs.
    Number,
    /// Fractions shown as percentages (0.05 → 5%).
    Percent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    UpperLeft,
    UpperRight,
    LowerLeft,
    LowerRight,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Plot {
    /// Layers over a numeric horizontal axis.
    Xy { axis: XAxis, layers: Vec<Layer> },
    /// Bars by category, one bar a group in each category.
    Bars(Bars),
}

/// How the horizontal axis of an `Xy` plot is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XAxis {
    /// Plain numbers.
    Numbers,
    /// Calendar time in years (x is the year; a month's end is `year + month / 12`), labelled
    /// at whole years.
    Years,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Layer {
    /// The area between `low` and `high` at each `x` (a quantile band).
    Band {
        label: String,
        x: Vec<f64>,
        low: Vec<f64>,
        high: Vec<f64>,
        colour: Colour,
        opacity: f64,
    },
    Line {
        label: String,
        points: Vec<(f64, f64)>,
        colour: Colour,
        dashed: bool,
        width: u32,
    },
    /// A horizontal reference line across the whole plot (a floor, zero).
    Level {
        label: String,
        y: f64,
        colour: Colour,
        dashed: bool,
    },
    /// Markers, for a scatter.
    Points {
        label: String,
        points: Vec<(f64, f64)>,
        colour: Colour,
        size: u32,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    pub categories: Vec<String>,
    pub groups: Vec<BarGroup>,
    /// Bars along the horizontal axis, categories down the side (a tornado).
    pub horizontal: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BarGroup {
    pub label: String,
    /// One value a category (a missing or non-finite value draws no bar).
    pub values: Vec<f64>,
    /// An interval a category, drawn as a whisker (a 5–95% range, a confidence interval).
    pub intervals: Option<Vec<(f64, f64)>>,
    pub colour: Colour,
}

/// Why a chart could not be drawn (a backend's error, as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartError(pub String);

impl std::fmt::Display for ChartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "drawing a chart: {}", self.0)
    }
}

impl std::error::Error for ChartError {}

fn fail<E: std::fmt::Display>(error: E) -> ChartError {
    ChartError(error.to_string())
}

fn register_font() {
    static ONCE: Once = Once::new();
    // The font is committed and known to parse (a unit test loads it); a failure would leave
    // plotters without glyphs, which its own errors then report.
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// The chart as an SVG document of `size` pixels.
pub fn svg(chart: &Chart, size: (u32, u32)) -> Result<String, ChartError> {
    register_font();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        draw(chart, &root, size)?;
        root.present().map_err(fail)?;
    }
    Ok(text)
}

/// The chart as the bytes of a PNG image of `size` pixels.
pub fn png(chart: &Chart, size: (u32, u32)) -> Result<Vec<u8>, ChartError> {
    register_font();
    let (width, height) = size;
    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        draw(chart, &root, size)?;
        root.present().map_err(fail)?;
    }
    let mut bytes = Vec::new();
    {
        let mut encoder = ::png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(::png::ColorType::Rgb);
        encoder.set_depth(::png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(fail)?;
        writer.write_image_data(&pixels).map_err(fail)?;
        writer.finish().map_err(fail)?;
    }
    Ok(bytes)
}

/// Sizes of text and lines at a drawing's scale (1 at `BASE_SIZE`).
struct Scale(f64);

impl Scale {
    fn px(&self, base: f64) -> u32 {
        (base * self.0).round().max(1.0) as u32
    }

    fn font(&self, base: f64) -> FontDesc<'static> {
        (FAMILY, base * self.0).into_font()
    }
}

fn draw<DB: DrawingBackend>(chart: &Chart, root: &DrawingArea<DB, Shift>, size: (u32, u32)) -> Result<(), ChartError> {
    let scale = Scale(f64::from(size.0) / f64::from(BASE_SIZE.0));
    root.fill(&WHITE).map_err(fail)?;
    let footer_height = scale.px(30.0);
    let (upper, footer) = root.split_vertically(size.1.saturating_sub(footer_height));
    let grey = RGBColor(90, 90, 90);
    footer
        .draw(&Text::new(
            chart.source.clone(),
            (scale.px(12.0) as i32, scale.px(6.0) as i32),
            scale.font(13.0).color(&grey),
        ))
        .map_err(fail)?;
    match &chart.plot {
        Plot::Xy { axis, layers } => draw_xy(chart, *axis, layers, &upper, &scale),
        Plot::Bars(bars) => draw_bars(chart, bars, &upper, &scale),
    }
}

/// The extent of `values`, widened by a twentieth on each side; (0, 1) when there is none.
fn padded(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let (mut low, mut high) =
        values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
    if include_zero {
        low = low.min(0.0);
        high = high.max(0.0);
    }
    if !low.is_finite() || !high.is_finite() {
        return (0.0, 1.0);
    }
    if high - low < 1e-12 {
        let pad = if low.abs() > 1e-12 { low.abs() * 0.1 } else { 1.0 };
        return (low - pad, high + pad);
    }
    let pad = (high - low) * 0.05;
    (
        if include_zero && low >= 0.0 { low } else { low - pad },
        if include_zero && high <= 0.0 { high } else { high + pad },
    )
}

/// A value axis label: `decimals` fixed by the axis's span.
fn value_label(value: f64, span: f64, format: ValueFormat) -> String {
    let (value, span) = match format {
        ValueFormat::Number => (value, span),
        ValueFormat::Percent => (value * 100.0, span * 100.0),
    };
    let decimals = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else if span >= 0.2 {
        2
    } else {
        3
    };
    // No "-0".
    let value = if value.abs() < 0.5 * 10f64.powi(-decimals) { 0.0 } else { value };
    let text = format!("{value:.*}", decimals as usize);
    match format {
        ValueFormat::Number => text,
        ValueFormat::Percent => format!("{text}%"),
    }
}

fn legend_position(corner: Corner) -> SeriesLabelPosition {
    match corner {
        Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
        Corner::UpperRight => SeriesLabelPosition::UpperRight,
        Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
        Corner::LowerRight => SeriesLabelPosition::LowerRight,
    }
}

fn label_of(layer: &Layer) -> &str {
    match layer {
        Layer::Band { label, .. }
        | Layer::Line { label, .. }
        | Layer::Level { label, .. }
        | Layer::Points { label, .. } => label,
    }
}

fn draw_xy<DB: DrawingBackend>(
    chart: &Chart,
    axis: XAxis,
    layers: &[Layer],
    area: &DrawingArea<DB, Shift>,
    scale: &Scale,
) -> Result<(), ChartError> {
    let xs = layers.iter().flat_map(|layer| -> Vec<f64> {
        match layer {
            Layer::Band { x, .. } => x.clone(),
            Layer::Line { points, .. } | Layer::Points { points, .. } => points.iter().map(|p| p.0).collect(),
            Layer::Level { .. } => Vec::new(),
        }
    });
    let (mut x0, mut x1) = padded(xs, false);
    if axis == XAxis::Years {
        // Whole steps at the ends, no padding: the first and last year are the data's.
        let xs: Vec<f64> = layers
            .iter()
            .flat_map(|layer| match layer {
                Layer::Band { x, .. } => x.clone(),
                Layer::Line { points, .. } | Layer::Points { points, .. } => points.iter().map(|p| p.0).collect(),
                Layer::Level { .. } => Vec::new(),
            })
            .filter(|v| v.is_finite())
            .collect();
        if let (Some(lo), Some(hi)) = (xs.iter().copied().reduce(f64::min), xs.iter().copied().reduce(f64::max)) {
            (x0, x1) = if hi > lo { (lo, hi) } else { (lo - 1.0, hi + 1.0) };
        }
    }
    let ys = layers.iter().flat_map(|layer| -> Vec<f64> {
        match layer {
            Layer::Band { low, high, .. } => low.iter().chain(high).copied().collect(),
            Layer::Line { points, .. } | Layer::Points { points, .. } => points.iter().map(|p| p.1).collect(),
            Layer::Level { y, .. } => vec![*y],
        }
    });
    let (mut y0, mut y1) = padded(ys, false);
    // Room for the legend beyond every value, in its corner, so it never hides a line.
    let entries = layers.iter().filter(|layer| !label_of(layer).is_empty()).count();
    if entries > 0 {
        let room = (y1 - y0) * (0.055 * entries as f64 + 0.05);
        match chart.legend {
            Corner::UpperLeft | Corner::UpperRight => y1 += room,
            Corner::LowerLeft | Corner::LowerRight => y0 -= room,
        }
    }
    let mut cc = ChartBuilder::on(area)
        .caption(&chart.title, scale.font(22.0))
        .margin(scale.px(14.0))
        .margin_right(scale.px(28.0))
        .x_label_area_size(scale.px(52.0))
        .y_label_area_size(scale.px(78.0))
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(fail)?;
    let span = y1 - y0;
    let format = chart.values;
    let x_label = move |x: &f64| -> String {
        match axis {
            XAxis::Numbers => value_label(*x, x1 - x0, ValueFormat::Number),
            XAxis::Years => {
                if (x - x.round()).abs() < 1e-6 {
                    format!("{}", x.round() as i64)
                } else {
                    String::new()
                }
            }
        }
    };
    let x_labels = match axis {
        XAxis::Years => ((x1 - x0) as usize + 1).min(16),
        XAxis::Numbers => 10,
    };
    let y_label = move |y: &f64| value_label(*y, span, format);
    cc.configure_mesh()
        .x_desc(chart.x_title.as_str())
        .y_desc(chart.y_title.as_str())
        .x_labels(x_labels)
        .y_labels(8)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .label_style(scale.font(15.0))
        .axis_desc_style(scale.font(16.0))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225).stroke_width(scale.px(1.0)))
        .axis_style(RGBColor(120, 120, 120).stroke_width(scale.px(1.0)))
        .draw()
        .map_err(fail)?;
    let mut labelled = false;
    let legend_size = scale.px(10.0) as i32;
    let legend_width = scale.px(22.0) as i32;
    for layer in layers {
        match layer {
            Layer::Band { label, x, low, high, colour, opacity } => {
                let points: Vec<(f64, f64)> = x
                    .iter()
                    .zip(high)
                    .map(|(x, y)| (*x, *y))
                    .chain(x.iter().zip(low).rev().map(|(x, y)| (*x, *y)))
                    .filter(|(x, y)| x.is_finite() && y.is_finite())
                    .collect();
                let style = colour.rgb().mix(*opacity).filled();
                let drawn = cc.draw_series(std::iter::once(Polygon::new(points, style))).map_err(fail)?;
                if !label.is_empty() {
                    labelled = true;
                    drawn.label(label.as_str()).legend(move |(x, y)| {
                        Rectangle::new([(x, y - legend_size / 2), (x + legend_width, y + legend_size / 2)], style)
                    });
                }
            }
            Layer::Line { label, points, colour, dashed, width } => {
                let points: Vec<(f64, f64)> =
                    points.iter().copied().filter(|(x, y)| x.is_finite() && y.is_finite()).collect();
                let style = colour.rgb().stroke_width(scale.px(f64::from(*width)));
                let drawn = if *dashed {
                    cc.draw_series(DashedLineSeries::new(points, scale.px(8.0), scale.px(5.0), style)).map_err(fail)?
                } else {
                    cc.draw_series(LineSeries::new(points, style)).map_err(fail)?
                };
                if !label.is_empty() {
                    labelled = true;
                    drawn
                        .label(label.as_str())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + legend_width, y)], style));
                }
            }
            Layer::Level { label, y, colour, dashed } => {
                if !y.is_finite() {
                    continue;
                }
                let style = colour.rgb().stroke_width(scale.px(2.0));
                let points = vec![(x0, *y), (x1, *y)];
                let drawn = if *dashed {
                    cc.draw_series(DashedLineSeries::new(points, scale.px(10.0), scale.px(6.0), style)).map_err(fail)?
                } else {
                    cc.draw_series(LineSeries::new(points, style)).map_err(fail)?
                };
                if !label.is_empty() {
                    labelled = true;
                    drawn
                        .label(label.as_str())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + legend_width, y)], style));
                }
            }
            Layer::Points { label, points, colour, size } => {
                let style = colour.rgb().filled();
                let radius = scale.px(f64::from(*size));
                let drawn = cc
                    .draw_series(
                        points
                            .iter()
                            .filter(|(x, y)| x.is_finite() && y.is_finite())
                            .map(|p| Circle::new(*p, radius, style)),
                    )
                    .map_err(fail)?;
                if !label.is_empty() {
                    labelled = true;
                    drawn
                        .label(label.as_str())
                        .legend(move |(x, y)| Circle::new((x + legend_width / 2, y), radius, style));
                }
            }
        }
    }
    if labelled {
        cc.configure_series_labels()
            .position(legend_position(chart.legend))
            .margin(scale.px(10.0))
            .legend_area_size(scale.px(34.0))
            .label_font(scale.font(14.0))
            .background_style(WHITE.mix(0.88))
            .border_style(RGBColor(180, 180, 180))
            .draw()
            .map_err(fail)?;
    }
    Ok(())
}

fn draw_bars<DB: DrawingBackend>(
    chart: &Chart,
    bars: &Bars,
    area: &DrawingArea<DB, Shift>,
    scale: &Scale,
) -> Result<(), ChartError> {
    let n = bars.categories.len().max(1);
    let values = bars.groups.iter().flat_map(|g| {
        let whiskers = g.intervals.iter().flatten().flat_map(|(a, b)| [*a, *b]);
        g.values.iter().copied().chain(whiskers).collect::<Vec<_>>()
    });
    let (v0, mut v1) = padded(values, true);
    // Room above the tallest bar for a legend in an upper corner.
    let entries = bars.groups.iter().filter(|g| !g.label.is_empty()).count();
    if !bars.horizontal && entries > 0 && v1 > 0.0 {
        v1 += (v1 - v0) * (0.055 * entries as f64 + 0.05);
    }
    let (c0, c1) = (-0.5, n as f64 - 0.5);
    let longest = bars.categories.iter().map(|c| c.chars().count()).max().unwrap_or(0) as f64;
    let mut builder = ChartBuilder::on(area);
    builder.caption(&chart.title, scale.font(22.0)).margin(scale.px(14.0)).margin_right(scale.px(28.0));
    let span = v1 - v0;
    let format = chart.values;
    let categories = bars.categories.clone();
    let category_label = move |x: &f64| -> String {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 {
            categories.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let value_label = move |y: &f64| value_label(*y, span, format);
    let groups = bars.groups.len().max(1) as f64;
    let width = 0.8 / groups;
    // The bar of group `g` in category `i`: its extent along the category axis.
    let slot = |i: usize, g: usize| {
        let start = i as f64 - 0.4 + width * g as f64;
        (start + width * 0.08, start + width * 0.92)
    };
    let mut labelled = false;
    let legend_size = scale.px(10.0) as i32;
    let legend_width = scale.px(22.0) as i32;
    let whisker = RGBColor(40, 40, 40).stroke_width(scale.px(2.0));
    if bars.horizontal {
        builder
            .x_label_area_size(scale.px(52.0))
            .y_label_area_size(scale.px((longest * 8.5 + 24.0).clamp(60.0, 320.0)));
        // Categories from the top down.
        let mut cc = builder.build_cartesian_2d(v0..v1, c0..c1).map_err(fail)?;
        let flipped = |i: usize| (n - 1 - i) as f64;
        let names = bars.categories.clone();
        let flipped_label = move |y: &f64| {
            let i = y.round();
            if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
                names[names.len() - 1 - i as usize].clone()
            } else {
                String::new()
            }
        };
        cc.configure_mesh()
            .x_desc(chart.x_title.as_str())
            .y_desc(chart.y_title.as_str())
            .x_labels(8)
            .y_labels(n + 1)
            .x_label_formatter(&value_label)
            .y_label_formatter(&flipped_label)
            .label_style(scale.font(15.0))
            .axis_desc_style(scale.font(16.0))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(225, 225, 225).stroke_width(scale.px(1.0)))
            .draw()
            .map_err(fail)?;
        let _ = category_label;
        for (g, group) in bars.groups.iter().enumerate() {
            let style = group.colour.rgb().filled();
            let rects: Vec<Rectangle<(f64, f64)>> = group
                .values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(i, v)| {
                    let (a, b) = slot(i, g);
                    let (a, b) = (flipped(i) + (a - i as f64), flipped(i) + (b - i as f64));
                    Rectangle::new([(0.0, a), (*v, b)], style)
                })
                .collect();
            let drawn = cc.draw_series(rects).map_err(fail)?;
            if !group.label.is_empty() {
                labelled = true;
                drawn.label(group.label.as_str()).legend(move |(x, y)| {
                    Rectangle::new([(x, y - legend_size / 2), (x + legend_width, y + legend_size / 2)], style)
                });
            }
            if let Some(intervals) = &group.intervals {
                let lines = intervals.iter().enumerate().filter(|(_, (a, b))| a.is_finite() && b.is_finite()).map(
                    |(i, (lo, hi))| {
                        let (a, b) = slot(i, g);
                        let mid = flipped(i) + ((a + b) / 2.0 - i as f64);
                        PathElement::new(vec![(*lo, mid), (*hi, mid)], whisker)
                    },
                );
                cc.draw_series(lines).map_err(fail)?;
            }
        }
        cc.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, c0), (0.0, c1)],
            RGBColor(90, 90, 90).stroke_width(scale.px(1.0)),
        )))
        .map_err(fail)?;
        if labelled {
            cc.configure_series_labels()
                .position(legend_position(chart.legend))
                .margin(scale.px(10.0))
                .legend_area_size(scale.px(34.0))
                .label_font(scale.font(14.0))
                .background_style(WHITE.mix(0.88))
                .border_style(RGBColor(180, 180, 180))
                .draw()
                .map_err(fail)?;
        }
        return Ok(());
    }
    builder.x_label_area_size(scale.px(52.0)).y_label_area_size(scale.px(78.0));
    let mut cc = builder.build_cartesian_2d(c0..c1, v0..v1).map_err(fail)?;
    cc.configure_mesh()
        .x_desc(chart.x_title.as_str())
        .y_desc(chart.y_title.as_str())
        .x_labels((n + 1).min(18))
        .y_labels(8)
        .x_label_formatter(&category_label)
        .y_label_formatter(&value_label)
        .label_style(scale.font(15.0))
        .axis_desc_style(scale.font(16.0))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225).stroke_width(scale.px(1.0)))
        .disable_x_mesh()
        .draw()
        .map_err(fail)?;
    for (g, group) in bars.groups.iter().enumerate() {
        let style = group.colour.rgb().filled();
        let rects: Vec<Rectangle<(f64, f64)>> = group
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(i, v)| {
                let (a, b) = slot(i, g);
                Rectangle::new([(a, 0.0), (b, *v)], style)
            })
            .collect();
        let drawn = cc.draw_series(rects).map_err(fail)?;
        if !group.label.is_empty() {
            labelled = true;
            drawn.label(group.label.as_str()).legend(move |(x, y)| {
                Rectangle::new([(x, y - legend_size / 2), (x + legend_width, y + legend_size / 2)], style)
            });
        }
        if let Some(intervals) = &group.intervals {
            let lines = intervals.iter().enumerate().filter(|(_, (a, b))| a.is_finite() && b.is_finite()).map(
                |(i, (lo, hi))| {
                    let (a, b) = slot(i, g);
                    PathElement::new(vec![((a + b) / 2.0, *lo), ((a + b) / 2.0, *hi)], whisker)
                },
            );
            cc.draw_series(lines).map_err(fail)?;
        }
    }
    cc.draw_series(std::iter::once(PathElement::new(
        vec![(c0, 0.0), (c1, 0.0)],
        RGBColor(90, 90, 90).stroke_width(scale.px(1.0)),
    )))
    .map_err(fail)?;
    if labelled {
        cc.configure_series_labels()
            .position(legend_position(chart.legend))
            .margin(scale.px(10.0))
            .legend_area_size(scale.px(34.0))
            .label_font(scale.font(14.0))
            .background_style(WHITE.mix(0.88))
            .border_style(RGBColor(180, 180, 180))
            .draw()
            .map_err(fail)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fan() -> Chart {
        Chart {
            title: "A fan".into(),
            x_title: "Year".into(),
            y_title: "USD billions".into(),
            source: "Source: test".into(),
            values: ValueFormat::Number,
            legend: Corner::UpperLeft,
            plot: Plot::Xy {
                axis: XAxis::Years,
                layers: vec![
                    Layer::Band {
                        label: "5–95%".into(),
                        x: vec![2026.0, 2027.0, 2028.0],
                        low: vec![-1.0, -2.0, f64::NAN],
                        high: vec![1.0, 2.0, 3.0],
                        colour: Colour::nth(0),
                        opacity: 0.2,
                    },
                    Layer::Line {
                        label: "median".into(),
                        points: vec![(2026.0, 0.0), (2027.0, 0.5), (2028.0, 1.0)],
                        colour: Colour::nth(0),
                        dashed: false,
                        width: 3,
                    },
                    Layer::Level { label: "floor".into(), y: 0.0, colour: Colour::nth(4), dashed: true },
                ],
            },
        }
    }

    fn bars(horizontal: bool) -> Chart {
        Chart {
            plot: Plot::Bars(Bars {
                categories: vec!["KR".into(), "JP".into(), "domestic".into()],
                groups: vec![
                    BarGroup {
                        label: "no deal".into(),
                        values: vec![0.25, 0.15, 0.0],
                        intervals: None,
                        colour: Colour::nth(1),
                    },
                    BarGroup {
                        label: "deal".into(),
                        values: vec![0.15, -0.1, f64::INFINITY],
                        intervals: Some(vec![(0.1, 0.2), (-0.2, 0.0), (0.0, 0.0)]),
                        colour: Colour::nth(2),
                    },
                ],
                horizontal,
            }),
            values: ValueFormat::Percent,
            ..fan()
        }
    }

    #[test]
    fn the_committed_font_parses() {
        assert!(ab_glyph_parses(FONT));
    }

    fn ab_glyph_parses(bytes: &'static [u8]) -> bool {
        plotters::style::register_font("test-family", FontStyle::Normal, bytes).is_ok()
    }

    #[test]
    fn every_kind_of_chart_draws_as_svg_and_png_with_its_words_and_no_nan() {
        for chart in [fan(), bars(false), bars(true)] {
            let svg = svg(&chart, BASE_SIZE).unwrap();
            assert!(svg.starts_with("<svg"), "{}", &svg[..60]);
            for words in ["Source: test", "USD billions", "Year"] {
                assert!(svg.contains(words), "{words} missing");
            }
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "a non-finite value reached the SVG");
            let png = png(&chart, SLIDE_SIZE).unwrap();
            assert_eq!(&png[1..4], b"PNG");
        }
    }

    #[test]
    fn value_labels_have_the_decimals_their_axis_needs() {
        assert_eq!(value_label(12.0, 100.0, ValueFormat::Number), "12");
        assert_eq!(value_label(1.25, 5.0, ValueFormat::Number), "1.2");
        assert_eq!(value_label(-0.0001, 1.0, ValueFormat::Number), "0.00");
        assert_eq!(value_label(0.15, 0.3, ValueFormat::Percent), "15%");
    }
}
