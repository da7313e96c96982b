// Whether files can be dragged onto the page: a mouse or trackpad somewhere (a phone or tablet has neither, so
// the dashboard does not tell it to "drop" anything).
export const canDragDrop = (): boolean => typeof window.matchMedia !== 'function' || window.matchMedia('(any-pointer: fine)').matches;
