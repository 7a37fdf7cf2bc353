// A read-back frame's buffers as images (views of the same arrays, nothing copied): what the CLI writes and the
// harness's denoisers take.
import type { ImageF32 } from '../image/image.ts';
import type { FrameData } from './path-tracer.ts';

export interface FramePlanes {
  color: ImageF32;
  albedo: ImageF32;
  normal: ImageF32;
  depth: ImageF32;
}

export function framePlanes(f: FrameData): FramePlanes {
  const { width, height } = f;
  return {
    color: { width, height, channels: 3, data: f.color },
    albedo: { width, height, channels: 3, data: f.albedo },
    normal: { width, height, channels: 3, data: f.normal },
    depth: { width, height, channels: 1, data: f.depth },
  };
}
