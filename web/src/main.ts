import { mount } from './widget.js';

void mount(document, window);
