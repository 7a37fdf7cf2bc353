// The online-training panel's live plot: training loss per step (left axis) and validation PSNR (right axis,
// points where measured) against the step, drawn by uPlot and redrawn only when the history changed.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { HistoryView } from './online.ts';
import type { TrainingHistory } from './online-schedule.ts';

const LOSS_COLOUR = '#e8a33d';
const PSNR_COLOUR = '#5ab0f0';
/** Whole steps only on the x axis. */
const STEP_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
const AXIS = { stroke: '#bbb', grid: { stroke: '#ffffff1a', width: 1 }, ticks: { stroke: '#ffffff33', width: 1 } };

export class TrainingPlot implements HistoryView {
  private readonly plot: uPlot;
  private shown = -1;

  constructor(container: HTMLElement, width = 400, height = 170) {
    const opts: uPlot.Options = {
      width,
      height,
      scales: { x: { time: false }, loss: { auto: true }, psnr: { auto: true } },
      axes: [
        { ...AXIS, label: 'step', incrs: STEP_TICKS },
        { ...AXIS, scale: 'loss', label: 'loss', stroke: LOSS_COLOUR },
        { ...AXIS, scale: 'psnr', label: 'PSNR (dB)', side: 1, stroke: PSNR_COLOUR, grid: { show: false } },
      ],
      series: [
        { label: 'step' },
        { label: 'loss', scale: 'loss', stroke: LOSS_COLOUR, width: 1, points: { show: false } },
        { label: 'PSNR', scale: 'psnr', stroke: PSNR_COLOUR, width: 2, spanGaps: true, points: { show: true, size: 5, fill: PSNR_COLOUR } },
      ],
    };
    this.plot = new uPlot(opts, [[], [], []], container);
  }

  show(history: TrainingHistory): void {
    if (history.version === this.shown) return;
    this.shown = history.version;
    this.plot.setData([history.step, history.loss, history.psnr]);
  }

  destroy(): void {
    this.plot.destroy();
  }
}
