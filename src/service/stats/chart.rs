//! The fairness chart: one horizontal bar per member (services), a line at the average, as PNG.
//!
//! Drawn with `plotters` on its bitmap backend into memory, then encoded with `png`. Text needs a
//! font and the bitmap backend has none of its own: DejaVu Sans is embedded
//! (`assets/fonts/DejaVuSans.ttf`; Bitstream Vera licence, which allows redistribution, text in
//! `assets/fonts/DejaVuSans-LICENSE.txt`), so the chart looks the same on any machine.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

const FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

pub const WIDTH: u32 = 800;
/// Height per bar, and around them (title, axis).
const ROW: u32 = 28;
const FRAME: u32 = 120;
/// Most bars one chart shows: past that it would be taller than any screen.
pub const MAX_BARS: usize = 150;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ChartError(String);

fn err(e: impl std::fmt::Display) -> ChartError {
    ChartError(e.to_string())
}

/// The font, registered once per process.
fn font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            register_font(FAMILY, FontStyle::Normal, FONT)
                .map_err(|_| "the embedded font could not be read".to_string())
        })
        .clone()
        .map_err(ChartError)
}

/// The chart's height for `bars` bars.
pub fn height(bars: usize) -> u32 {
    FRAME + ROW * bars.clamp(1, MAX_BARS) as u32
}

/// A PNG of `bars` (label, value), in order, top to bottom, with a line at `mean`.
pub fn bar_chart(title: &str, bars: &[(String, f64)], mean: f64) -> Result<Vec<u8>, ChartError> {
    font()?;
    let bars = &bars[..bars.len().min(MAX_BARS)];
    let (w, h) = (WIDTH, height(bars.len()));
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    draw(&mut rgb, (w, h), title, bars, mean).map_err(err)?;
    encode(&rgb, w, h)
}

fn draw(
    rgb: &mut [u8],
    size: (u32, u32),
    title: &str,
    bars: &[(String, f64)],
    mean: f64,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = BitMapBackend::with_buffer(rgb, size).into_drawing_area();
    root.fill(&WHITE)?;
    let n = bars.len() as u32;
    let top = bars.iter().map(|b| b.1).fold(mean, f64::max).max(1.0) * 1.1;
    let labels: Vec<&str> = bars.iter().map(|b| b.0.as_str()).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FAMILY, 22))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(160)
        .build_cartesian_2d(0f64..top, (0u32..n).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(labels.len())
        // The y axis counts up from the bottom; the first bar goes on top.
        .y_label_formatter(&|y| match y {
            SegmentValue::CenterOf(i) => (n - 1)
                .checked_sub(*i)
                .and_then(|k| labels.get(k as usize))
                .map(|s| s.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        })
        // The average is named on the axis rather than in a legend box, which would hide a bar.
        .x_desc(format!("services (red line: the average, {mean:.2})"))
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 14))
        .draw()?;
    let bar_color = RGBColor(0x1c, 0x58, 0xd9);
    chart.draw_series(bars.iter().enumerate().map(|(k, (_, v))| {
        let i = n - 1 - k as u32;
        let mut bar = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(i)),
                (*v, SegmentValue::Exact(i + 1)),
            ],
            bar_color.filled(),
        );
        bar.set_margin(4, 4, 0, 0);
        bar
    }))?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![
            (mean, SegmentValue::Exact(0)),
            (mean, SegmentValue::Exact(n)),
        ],
        RED.stroke_width(2),
    )))?;
    root.present()?;
    Ok(())
}

fn encode(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(err)?;
    writer.write_image_data(rgb).map_err(err)?;
    writer.finish().map_err(err)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_is_a_png_one_row_per_member_high() {
        let bars: Vec<(String, f64)> = ["@ann", "@bob", "@cy"]
            .iter()
            .zip([3.0, 1.0, 2.0])
            .map(|(n, v)| (n.to_string(), v))
            .collect();
        let png = bar_chart("ICE: services per member", &bars, 2.0).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(&png));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!((info.width, info.height), (WIDTH, height(3)));
    }

    /// The decoded pixels, as RGB triples by row.
    fn pixels(png: &[u8]) -> (u32, Vec<[u8; 3]>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        let px = buf[..info.buffer_size()]
            .chunks(3)
            .map(|c| [c[0], c[1], c[2]])
            .collect();
        (info.width, px)
    }

    /// Each bar as (its first pixel row, its left edge, its length in pixels), top to bottom.
    fn bars_drawn(width: u32, px: &[[u8; 3]]) -> Vec<(usize, usize, usize)> {
        let bar = [0x1c, 0x58, 0xd9];
        let mut out: Vec<(usize, usize, usize)> = Vec::new();
        let mut in_bar = false;
        for (y, row) in px.chunks(width as usize).enumerate() {
            let cols: Vec<usize> = (0..row.len()).filter(|&x| row[x] == bar).collect();
            match (cols.first(), in_bar) {
                (Some(&left), false) => {
                    out.push((y, left, cols.len()));
                    in_bar = true;
                }
                (None, _) => in_bar = false,
                _ => {}
            }
        }
        out
    }

    #[test]
    fn each_bar_is_as_long_as_its_value_and_the_average_line_is_where_it_should_be() {
        let bars: Vec<(String, f64)> = ["@ann", "@bob", "@cy"]
            .iter()
            .zip([3.0, 1.0, 2.0])
            .map(|(n, v)| (n.to_string(), v))
            .collect();
        let (w, px) = pixels(&bar_chart("ICE", &bars, 2.0).unwrap());
        let drawn = bars_drawn(w, &px);
        assert_eq!(drawn.len(), 3, "{drawn:?}");
        // Bars start at the same axis and are in proportion to their values (±2 px of rounding).
        assert!(drawn.iter().all(|b| b.1 == drawn[0].1), "{drawn:?}");
        let by_row: Vec<usize> = drawn.iter().map(|b| b.2).collect();
        let unit = by_row.iter().min().copied().unwrap_or(1) as f64;
        let ratios: Vec<f64> = by_row.iter().map(|&l| (l as f64 / unit).round()).collect();
        // The first bar is the top one.
        assert_eq!(ratios, [3.0, 1.0, 2.0], "{drawn:?}");
        // The average line (red) crosses at the end of the bar of 2.
        let red = (0..w as usize).find(|&x| {
            px.chunks(w as usize)
                .filter(|row| row[x][0] > 200 && row[x][1] < 60 && row[x][2] < 60)
                .count()
                > 20
        });
        let two = drawn[0].1 + by_row[2];
        assert!(
            red.is_some_and(|x| x.abs_diff(two) <= 2),
            "red line at {red:?}, bar of 2 ends at {two}"
        );
    }

    #[test]
    fn a_huge_rotation_is_charted_up_to_the_cap() {
        let bars: Vec<(String, f64)> = (0..400)
            .map(|i| (format!("@p{i}"), f64::from(i % 7)))
            .collect();
        let png = bar_chart("big", &bars, 3.0).unwrap();
        let info = png::Decoder::new(std::io::Cursor::new(&png))
            .read_info()
            .unwrap();
        assert_eq!(info.info().height, height(MAX_BARS));
    }
}
