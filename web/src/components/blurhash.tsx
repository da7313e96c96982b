// The blurhash placeholder: decoded once at 32×32 into a canvas that CSS stretches to the box.
import { decode } from 'blurhash';
import { useEffect, useRef } from 'react';

const SIZE = 32;

export function BlurhashCanvas({ hash, className }: { hash: string; className?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    try {
      const pixels = decode(hash, SIZE, SIZE);
      const img = ctx.createImageData(SIZE, SIZE);
      img.data.set(pixels);
      ctx.putImageData(img, 0, 0);
    } catch {
      /* an invalid hash: the dominant colour behind it shows instead */
    }
  }, [hash]);
  return <canvas ref={ref} width={SIZE} height={SIZE} className={className} aria-hidden="true" />;
}
