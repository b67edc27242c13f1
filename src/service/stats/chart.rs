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
        .y_label_formatter(&|y| match y {
            SegmentValue::CenterOf(i) => labels
                .get(*i as usize)
                .map(|s| s.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        })
        .x_desc("services")
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 14))
        .draw()?;
    let bar_color = RGBColor(0x1c, 0x58, 0xd9);
    chart.draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
        let i = i as u32;
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
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![
                (mean, SegmentValue::Exact(0)),
                (mean, SegmentValue::Exact(n)),
            ],
            RED.stroke_width(2),
        )))?
        .label(format!("average {mean:.2}"))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], RED.stroke_width(2)));
    chart
        .configure_series_labels()
        .label_font((FAMILY, 14))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()?;
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
