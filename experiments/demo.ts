// npm run demo — work in progress (issue 6): trains a VGG-style and a ResNet-style backbone on
// Fashion-MNIST through a live server, converts both and prints the comparison.
console.error('demo: not finished yet (waiting for the training/conversion API)');
process.exit(1);
