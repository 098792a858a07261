import { describe, expect, it } from 'vitest';
import { functionFolder } from './function-folder';

describe('functionFolder', () => {
  it.each([
    ['./functions/hello', 'functions/hello'],
    ['functions/hello', 'functions/hello'],
    ['./functions/hello/', 'functions/hello'],
    ['./functions/./hello', 'functions/hello'],
    ['functions/x/../hello', 'functions/hello'],
    ['.\\functions\\hello', 'functions/hello'],
  ])('takes %j for the folder %j', (handler, folder) => {
    expect(functionFolder(handler)).toBe(folder);
  });

  it.each([
    [undefined],
    [3],
    [''],
    ['.'],
    ['./'],
    ['/srv/hello'],
    ['..'],
    ['../hello'],
    ['functions/../../x'],
  ])('takes %j for no folder in the workspace', (handler) => {
    expect(functionFolder(handler)).toBeUndefined();
  });
});
