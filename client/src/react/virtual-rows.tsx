// A windowed list of fixed-height rows: only the rows in view (plus a margin) are in the DOM, so 10,000s of rows
// cost what a screenful costs. Sticks to the bottom while the user is at the bottom; scrolling up stops that.
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

export interface VirtualRowsProps<T> {
  rows: readonly T[];
  rowHeight: number;
  height: number;
  render: (row: T, index: number) => ReactNode;
  className?: string;
  /** Told when following the bottom starts or stops (the user scrolled away or back). */
  onFollowChange?: (following: boolean) => void;
  follow: boolean;
}

const OVERSCAN = 20;

export function VirtualRows<T>({ rows, rowHeight, height, render, className, follow, onFollowChange }: VirtualRowsProps<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const total = rows.length * rowHeight;

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && follow && el.scrollTop !== el.scrollHeight - el.clientHeight) {
      el.scrollTop = el.scrollHeight;
      setScrollTop(el.scrollTop);
    }
  }, [follow, total]);

  const onScroll = () => {
    const el = ref.current!;
    setScrollTop(el.scrollTop);
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
    if (atBottom !== follow) onFollowChange?.(atBottom);
  };

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const visible: ReactNode[] = [];
  for (let i = first; i < last; i++) visible.push(render(rows[i], i));

  return (
    <div ref={ref} className={className} onScroll={onScroll} style={{ height, overflowY: 'auto', position: 'relative' }}>
      <div style={{ height: total, position: 'relative' }}>
        <div style={{ position: 'absolute', top: first * rowHeight, left: 0, right: 0 }}>{visible}</div>
      </div>
    </div>
  );
}
